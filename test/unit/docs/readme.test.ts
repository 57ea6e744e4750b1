/** The README's annotation and command tables, and names the docs cite, against the code (docs/threat-model.md T45). */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Command } from 'commander';
import { ANNOTATIONS, OPERATOR_ONLY, optedIn, parseSpec, PREFIX, SECRET_KINDS, type PodDefaults } from '../../../src/annotations';
import { buildProgram } from '../../../src/cli/main';
import { RESOURCE_FIELD_INFO, type ResourcePolicy } from '../../../src/pod-resources';
import { ALL_RULE_INFO } from '../../../src/scan/rules';
import { parseDuration, type PodSecretsSpec } from '../../../src/spec';
import { plain, readRepoFile, REPO, table } from '../../helpers/markdown';

const README = readRepoFile('README.md');
const DOCS = ['README.md', ...readdirSync(join(REPO, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** README name -> default: `secret-<name>` for a per-secret kind; a parenthetical note is dropped. */
const annotationRows = table(README, ['annotation', 'value', 'default']).map(([name, , dflt]) => [plain(name ?? ''), plain(dflt ?? '').replace(/\s*\(.*\)$/, '')] as const);
const codeNames = [...Object.values(ANNOTATIONS).map((a) => a.slice(PREFIX.length)), ...SECRET_KINDS.map((k) => `${k}-<name>`)];

const POD: PodDefaults = { serviceAccountName: 'web', containerNames: ['web', 'worker'], initContainerNames: ['migrate'] };
const POLICY: ResourcePolicy = { defaults: { requests: { cpu: '25m', memory: '48Mi' }, limits: {} }, max: { requests: {}, limits: {} } };
const minimal = parseSpec({ [ANNOTATIONS.inject]: 'true', [`${PREFIX}secret-db`]: 'secret/data/app/db' }, POD, POLICY);
if (!minimal.ok) throw new Error(`a minimal pod must parse: ${minimal.errors.join('; ')}`);
const spec: PodSecretsSpec = minimal.spec;
const secret = spec.secrets[0]!;

/** What the code does when each annotation is absent, in the README's words. */
const CODE_DEFAULTS: Record<string, () => string> = {
  inject: () => (optedIn({}) ? 'true' : 'absent'),
  role: () => (spec.role === POD.serviceAccountName ? "the pod's serviceAccountName" : spec.role),
  'secret-<name>': () => {
    // The minimal pod less its one secret annotation: refused only because it asks for no secret.
    const none = parseSpec({ [ANNOTATIONS.inject]: 'true' }, POD, POLICY);
    return minimal.ok && !none.ok ? 'required, one or more' : 'optional';
  },
  'file-<name>': () => (secret.file === secret.name ? '<name>' : secret.file),
  'format-<name>': () => secret.format,
  'key-<name>': () => secret.key ?? 'none',
  'template-<name>': () => secret.template ?? 'none',
  'mode-<name>': () => `0${secret.mode.toString(8)}`,
  containers: () => (JSON.stringify(minimal.containers) === JSON.stringify(POD.containerNames) ? 'every app container' : minimal.containers.join(',')),
  'mount-path': () => spec.mountPath,
  lifecycle: () => spec.lifecycle,
  'rotate-interval': () => `${spec.rotateIntervalSeconds}s`,
  notify: () => spec.notify.kind,
  status: () => 'none',
  // Absent, the sidecar gets the operator's setting: the pod asks for nothing of its own.
  ...Object.fromEntries(
    Object.entries(RESOURCE_FIELD_INFO).map(([field, info]) => [
      ANNOTATIONS[field as keyof typeof RESOURCE_FIELD_INFO].slice(PREFIX.length),
      () => (minimal.ok && Object.keys(minimal.resources).length === 0 ? info.defaultSetting : 'set'),
    ]),
  ),
};

describe('README annotation table', () => {
  it('names every annotation of src/annotations.ts, and only those', () => {
    expect(annotationRows.map(([name]) => name).sort()).toEqual([...codeNames].sort());
  });

  it('has a default checker for every annotation of the code', () => {
    expect(Object.keys(CODE_DEFAULTS).sort()).toEqual([...codeNames].sort());
  });

  it.each(annotationRows)('%s: the documented default is what the code does (%s)', (name, documented) => {
    const actual = CODE_DEFAULTS[name]?.();
    // Durations are compared as seconds: the README writes 5m, the code keeps 300.
    const normalised = name === 'rotate-interval' ? `${parseDuration(documented) ?? documented}s` : documented;
    expect({ name, default: normalised }).toEqual({ name, default: actual });
  });
});

/** `audit verify` for subcommands, `injector` for a command without any. */
function commandPaths(program: Command): string[] {
  return program.commands.flatMap((c) => (c.commands.length > 0 ? c.commands.map((s) => `${c.name()} ${s.name()}`) : [c.name()]));
}

function findCommand(program: Command, path: string): Command | undefined {
  return path.split(' ').reduce<Command | undefined>((c, name) => c?.commands.find((s) => s.name() === name), program);
}

/** `secrets-broker audit query [filters] FILE...` -> path `audit query`, options []. */
function parseCommandCell(cell: string): { path: string; options: string[] } {
  const words = plain(cell).split(/\s+/).slice(1);
  const end = words.findIndex((w) => !/^[a-z][a-z-]*$/.test(w));
  return { path: words.slice(0, end < 0 ? undefined : end).join(' '), options: words.filter((w) => /^--?[a-z]/.test(w)) };
}

describe('README command table', () => {
  const program = buildProgram({ env: {}, stdout: new PassThrough(), stderr: new PassThrough() });
  const rows = table(README, ['command', 'what it does']).map(([cell]) => parseCommandCell(cell ?? ''));

  it('lists every command and subcommand of the CLI, and only those', () => {
    expect([...new Set(rows.map((r) => r.path))].sort()).toEqual(commandPaths(program).sort());
  });

  it.each(rows.filter((r) => r.options.length > 0).map((r) => [r.path, r.options] as const))('%s: every option shown exists (%j)', (path, options) => {
    const known = findCommand(program, path)?.options.flatMap((o) => [o.long, o.short]) ?? [];
    expect(options.filter((o) => !known.includes(o))).toEqual([]);
  });
});

describe('names the docs cite', () => {
  const docs = DOCS.map((f) => [f, readRepoFile(f)] as const);

  it.each(docs)('%s: every scanner rule id it cites exists', (_file, text) => {
    const ids = new Set(ALL_RULE_INFO.map((r) => r.id));
    const cited = [...text.matchAll(/\brule `?([a-z0-9]+(?:-[a-z0-9]+)+)`?/g)].map((m) => m[1]!);
    expect(cited.filter((id) => !ids.has(id))).toEqual([]);
  });

  it.each(docs)('%s: every annotation it shows is one of the code (or an operator setting shown being refused)', (_file, text) => {
    const pod = new Set<string>([...Object.values(ANNOTATIONS), ...OPERATOR_ONLY.map((k) => `${PREFIX}${k}`)]);
    const perSecret = new RegExp(`^${PREFIX.replace(/[./]/g, '\\$&')}(${SECRET_KINDS.join('|')})-([a-z0-9-]{1,40}|<name>)$`);
    const shown = [...text.matchAll(/secrets-broker\.io\/[a-z<>-]+/g)].map((m) => m[0]);
    expect(shown.filter((a) => !pod.has(a) && !perSecret.test(a))).toEqual([]);
  });

  it('docs/scanner.md: every rule of its rule table exists', () => {
    const ids = new Set(ALL_RULE_INFO.map((r) => r.id));
    const rows = table(readRepoFile('docs/scanner.md'), ['rule id', 'finds', 'severity']).map(([id]) => plain(id ?? ''));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.filter((id) => !ids.has(id))).toEqual([]);
  });

  it.each(docs)('%s: every `npm run` script it names is in package.json', (_file, text) => {
    const scripts = Object.keys((JSON.parse(readRepoFile('package.json')) as { scripts: Record<string, string> }).scripts);
    const named = [...text.matchAll(/npm run ([a-z][a-z0-9:-]*)/g)].map((m) => m[1]!);
    expect(named.filter((s) => !scripts.includes(s))).toEqual([]);
  });
});
