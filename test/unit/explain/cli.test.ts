/** `secrets-broker explain` as a command: settings, inputs, outputs and exit codes. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { parseAllDocuments } from 'yaml';
import { runExplain } from '../../../src/cli/explain';
import { runCli } from '../../../src/cli/main';
import { corpusPods } from '../../helpers/fixtures';

const ENV = { VAULT_ADDR: 'https://vault.example:8200', SIDECAR_IMAGE: 'registry.example.com/secrets-broker:0.1.0' };
const OPT_IN = { 'secrets-broker.io/inject': 'true', 'secrets-broker.io/secret-db': 'secret/data/app/db' };

function io(env: Record<string, string> = ENV) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const text = (s: PassThrough): string => (s.read() as Buffer | null)?.toString('utf8') ?? '';
  return { io: { env, stdout, stderr }, out: () => text(stdout), err: () => text(stderr) };
}

async function cli(argv: string[], env?: Record<string, string>) {
  const t = io(env);
  const code = await runCli(['explain', ...argv], t.io);
  return { code, out: t.out(), err: t.err() };
}

afterEach(() => {
  process.exitCode = 0;
});

/** A manifest of workloads made from the corpus: a Deployment opted in, a StatefulSet not, a Service. */
function manifest(dir: string, extra: Record<string, string> = {}): string {
  const [a, b] = corpusPods().filter((c) => c.file.startsWith('argocd-'));
  const deploy = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' }, spec: { template: { metadata: { annotations: { ...OPT_IN, ...extra } }, spec: a!.pod.spec } } };
  const sts = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'shop' }, spec: { template: { metadata: {}, spec: b!.pod.spec } } };
  const file = join(dir, 'app.yaml');
  writeFileSync(file, [deploy, sts, { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' } }].map((o) => JSON.stringify(o)).join('\n---\n'));
  return file;
}

const tmp = (): string => mkdtempSync(join(tmpdir(), 'explain-'));

describe('explain (CLI)', () => {
  it('exit 0 when every pod would be admitted; the summary names each template', async () => {
    const r = await cli([manifest(tmp())]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/app\.yaml: Deployment\/web \(namespace shop\): injected/);
    expect(r.out).toMatch(/app\.yaml: StatefulSet\/db \(namespace shop\): skipped: not opted in/);
    expect(r.out).toMatch(/2 pod template\(s\): 1 injected, 1 skipped, 0 denied; 1 other object\(s\) hold no pod template\n$/);
  });

  it('exit 1 when any pod would be denied', async () => {
    const r = await cli([manifest(tmp(), { 'secrets-broker.io/image': 'evil/image' })]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/Deployment\/web \(namespace shop\): denied\n {2}the webhook says: secrets-broker: secrets-broker.io\/image: is an operator setting/);
  });

  it('--set overrides the environment: an excluded namespace is skipped', async () => {
    const r = await cli(['--set', 'INJECTOR_EXCLUDE_NAMESPACES=shop', manifest(tmp())]);
    expect(r.out).toMatch(/Deployment\/web \(namespace shop\): skipped: the namespace is excluded/);
  });

  it.each([
    ['no VAULT_ADDR or SIDECAR_IMAGE', [], {}, /^secrets-broker: SIDECAR_IMAGE: .*\nsecrets-broker: VAULT_ADDR: /],
    ['an unknown --set name', ['--set', 'NOPE=1'], ENV, /^secrets-broker: --set NOPE: not an injector setting/],
    ['a --set without =', ['--set', 'VAULT_ADDR'], ENV, /^secrets-broker: --set \(no NAME=\): not an injector setting/],
    ['a bad --set value', ['--set', 'INJECTOR_LITERAL_SECRETS=maybe'], ENV, /^secrets-broker: INJECTOR_LITERAL_SECRETS: /],
    ['a bad --output', ['--output', 'xml'], ENV, /argument 'xml' is invalid/],
  ])('exit 2 on %s', async (_name, args, env, expected) => {
    const r = await cli([...args, manifest(tmp())], env);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(expected);
  });

  it('exit 2 on unreadable input, after explaining what it could read', async () => {
    const dir = tmp();
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'kind: [');
    const r = await cli([manifest(dir), join(dir, 'missing.yaml'), dir, bad]);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/Deployment\/web \(namespace shop\): injected/);
    const lines = r.err.trim().split('\n');
    expect(lines.slice(0, 2)).toEqual([`secrets-broker: ${join(dir, 'missing.yaml')}: cannot read (ENOENT)`, `secrets-broker: ${dir}: not a regular file`]);
    expect(lines[2]).toMatch(/^secrets-broker: .*bad\.yaml: document 1: not YAML or JSON \([A-Z_]+\)$/);
    expect(lines).toHaveLength(3);
  });

  it('--output patch: one entry per admitted template, the patch that kubectl would apply', async () => {
    const r = await cli(['--output', 'patch', manifest(tmp())]);
    const entries = JSON.parse(r.out) as { object: string; outcome: string; patch: { op: string; path: string }[] }[];
    expect(entries.map((e) => [e.object.replace(/^.*: /, ''), e.outcome])).toEqual([['Deployment/web', 'inject'], ['StatefulSet/db', 'skip']]);
    expect(entries[0]?.patch.every((op) => op.op === 'add')).toBe(true);
    expect(entries[0]?.patch.map((op) => op.path)).toContain('/spec/initContainers');
    expect(entries[1]?.patch).toEqual([]);
  });

  it('--output pod: the pods as created, YAML; denials on stderr, and they are not printed', async () => {
    const dir = tmp();
    const r = await cli(['--output', 'pod', manifest(dir)]);
    const pods = parseAllDocuments(r.out).map((d) => d.toJS() as { metadata: { generateName: string; annotations?: Record<string, string> }; spec: { initContainers?: { name: string }[] } });
    expect(pods.map((p) => p.metadata.generateName)).toEqual(['web-', 'db-']);
    expect(pods[0]?.metadata.annotations?.['secrets-broker.io/status']).toBe('injected');
    expect(pods[0]?.spec.initContainers?.[0]?.name).toBe('secrets-broker');
    const denied = await cli(['-o', 'pod', manifest(dir, { 'secrets-broker.io/bogus': 'x' })]);
    expect(denied.code).toBe(1);
    expect(parseAllDocuments(denied.out)).toHaveLength(1);
    expect(denied.err).toMatch(/Deployment\/web \(namespace shop\): denied/);
  });

  it('- reads standard input; a second - is bad usage', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', annotations: OPT_IN }, spec: { containers: [{ name: 'app', image: 'a' }] } };
    const t = io();
    const flags = { output: 'summary', set: [], namespace: 'team' };
    await expect(runExplain(['-'], flags, t.io, Readable.from([JSON.stringify(pod)]))).resolves.toBe(0);
    expect(t.out()).toMatch(/^-: Pod\/p \(namespace team\): injected/);
    await expect(runExplain(['-', '-'], flags, t.io, Readable.from([]))).rejects.toThrow(/may be named once/);
  });
});

describe('the kubectl plugin name', () => {
  it('kubectl-secrets_broker (what `kubectl secrets-broker` runs) is the same CLI entry', () => {
    const { bin } = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(bin['kubectl-secrets_broker']).toBe(bin['secrets-broker']);
    expect(bin['secrets-broker']).toBe('dist/src/cli/bin.js');
  });
});
