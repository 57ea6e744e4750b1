import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import Ajv from 'ajv';
import { runCli } from '../../../src/cli/main';
import { plant } from '../../helpers/fake-secrets';
import { sarifSchema } from '../../helpers/fixtures';
import { dockerSave } from '../../helpers/tar-builder';

function io() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const text = (s: PassThrough) => (s.read() as Buffer | null)?.toString('utf8') ?? '';
  return { io: { env: {}, stdout, stderr }, out: () => text(stdout), err: () => text(stderr) };
}

async function scan(...argv: string[]) {
  const t = io();
  const code = await runCli(['scan', ...argv], t.io);
  return { code, out: t.out(), err: t.err() };
}

/** The published SARIF 2.1.0 schema (draft-04), read by ajv's draft-07 validator: the keywords it uses mean the same in both. */
function sarifValidator() {
  const schema = sarifSchema();
  schema.$schema = 'http://json-schema.org/draft-07/schema#';
  schema.$id = schema.id;
  delete schema.id;
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat('uri', (s: string) => URL.canParse(s));
  ajv.addFormat('uri-reference', (s: string) => !/\s/.test(s));
  ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)));
  return ajv.compile(schema);
}

const gh = plant('github-token', 21);
const aws = plant('aws-access-key-id', 22);
const pw = plant('generic-secret', 23);
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'scan-cli-'));
  mkdirSync(join(dir, 'src'));
  mkdirSync(join(dir, '.git'));
  writeFileSync(join(dir, 'src', 'app.ts'), `export const a = 1;\n${gh.text}\n`);
  writeFileSync(join(dir, '.git', 'config'), aws.text);
  writeFileSync(join(dir, 'Dockerfile'), `FROM node:20\n${pw.text.replace(/^/, 'ENV ')}\nCOPY id_ed25519 /root/.ssh/\n`);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('secrets-broker scan', () => {
  it('text output groups by file, skips .git, redacts, exits 1', async () => {
    const r = await scan(dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`${join(dir, 'src', 'app.ts')}\n  2:`);
    expect(r.out).toMatch(/github-token/);
    expect(r.out).toMatch(/dockerfile-secret-env/);
    expect(r.out).toMatch(/dockerfile-copy-secret-file/);
    expect(r.out).toMatch(/advice: .*--mount=type=secret/);
    expect(r.out).not.toMatch(/aws-access-key-id/);
    for (const s of [gh.secret, pw.secret]) expect(r.out).not.toContain(s.slice(4));
  });

  it.each([
    ['critical', 1],
    ['high', 1],
  ])('--fail-on %s exits %i', async (sev, code) => {
    expect((await scan('--fail-on', sev, join(dir, 'src'))).code).toBe(code);
  });

  it('--fail-on critical exits 0 when only high findings remain', async () => {
    expect((await scan('--fail-on', 'critical', join(dir, 'Dockerfile'))).code).toBe(0);
  });

  it('JSON output carries fingerprints and no secret', async () => {
    const r = await scan('--format', 'json', dir);
    const doc = JSON.parse(r.out);
    expect(doc.findings.map((f: { ruleId: string }) => f.ruleId).sort()).toEqual(['dockerfile-copy-secret-file', 'dockerfile-secret-env', 'github-token']);
    expect(doc.findings[0].fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(r.out).not.toContain(gh.secret);
  });

  it('SARIF output is valid against the SARIF 2.1.0 schema, for files and for image layers', async () => {
    writeFileSync(join(dir, 'image.tar'), await dockerSave({ layers: [[{ name: 'app/.env', content: gh.text }], [{ name: 'app/.wh..env', content: '' }]], env: [pw.text] }));
    const out = join(dir, 'out.sarif');
    const r = await scan('--format', 'sarif', '--output', out, dir);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    const text = readFileSync(out, 'utf8');
    const log = JSON.parse(text);
    const validate = sarifValidator();
    expect(validate.errors ?? validate(log)).toBe(true);
    const results = log.runs[0].results;
    const ids = log.runs[0].tool.driver.rules.map((x: { id: string }) => x.id);
    for (const res of results) expect(ids[res.ruleIndex]).toBe(res.ruleId);
    const layer = results.find((x: { message: { text: string } }) => x.message.text.includes('deleted in layer 2'));
    expect(layer.locations[0].logicalLocations[0].fullyQualifiedName).toBe('layer 1/app/.env');
    const file = results.find((x: { ruleId: string; locations: Array<{ physicalLocation: { region?: unknown } }> }) => x.ruleId === 'github-token' && x.locations[0]?.physicalLocation.region);
    expect(file.locations[0].physicalLocation.region.startLine).toBe(2);
    expect(text).not.toContain(gh.secret);
  });

  it('a broken SARIF log fails the schema check (the validator is not vacuous)', () => {
    const validate = sarifValidator();
    expect(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] })).toBe(false);
  });

  it('the ignore file accepts findings by fingerprint and by path, with reasons', async () => {
    const doc = JSON.parse((await scan('--format', 'json', dir)).out);
    const fp = doc.findings.find((f: { ruleId: string }) => f.ruleId === 'github-token').fingerprint;
    writeFileSync(join(dir, '.secrets-broker-ignore'), `# accepted\n${fp}:github-token  # revoked, kept for a parser test\nDockerfile:*  # example Dockerfile for the docs\n`);
    const r = await scan(dir);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/0 findings .*1 ignored by the ignore file, 1 files skipped by the ignore file/);
  });

  it.each([
    ['src/app.ts:github-token\n', /every entry needs a reason/],
    ['src/app.ts:no-such-rule  # why\n', /unknown rule "no-such-rule"/],
    ['just-a-path  # why\n', /expected "fingerprint-or-path:rule/],
  ])('a bad ignore line %j exits 2 with one line per problem', async (line, pattern) => {
    writeFileSync(join(dir, 'ignore'), line);
    const r = await scan('--ignore-file', join(dir, 'ignore'), dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(pattern);
  });

  it.each([
    [['--format', 'xml', '.'], /argument 'xml' is invalid|Allowed choices/],
    [['--fail-on', 'severe', '.'], /Allowed choices/],
    [[], /missing required argument/],
  ])('bad usage %j exits 2', async (argv, pattern) => {
    const r = await scan(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(pattern);
  });

  it('a missing target exits 2 and still reports the readable ones', async () => {
    const r = await scan(join(dir, 'src'), join(dir, 'nope'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/nope: cannot read \(ENOENT\)/);
    expect(r.out).toMatch(/github-token/);
  });

  it('symlinks are not followed, binary and huge files do not break the scan', async () => {
    symlinkSync('/etc', join(dir, 'etc-link'));
    symlinkSync(join(dir, 'missing'), join(dir, 'dangling'));
    writeFileSync(join(dir, 'blob.bin'), Buffer.concat([Buffer.from([0, 1, 2, 0]), Buffer.from(aws.text)]));
    const huge = Buffer.alloc(12 << 20, 'let x = 1; // filler line\n');
    writeFileSync(join(dir, 'huge.js'), Buffer.concat([huge, Buffer.from(`\n${aws.text}\n`)]));
    const r = await scan('--format', 'json', dir);
    const doc = JSON.parse(r.out);
    expect(doc.counts).toEqual(expect.objectContaining({ symlinks: 2, binary: 1 }));
    const hit = doc.findings.find((f: { ruleId: string }) => f.ruleId === 'aws-access-key-id');
    expect(hit.file).toBe(join(dir, 'huge.js'));
    expect(hit.line).toBe(huge.toString('latin1').split('\n').length + 1);
  });

  it('an unreadable file is a problem line (as root every file is readable, so it is scanned)', async () => {
    writeFileSync(join(dir, 'secret.txt'), 'x');
    writeFileSync(join(dir, 'empty.txt'), '');
    chmodSync(join(dir, 'secret.txt'), 0);
    const r = await scan(dir);
    const root = process.getuid?.() === 0;
    expect([r.code, r.err]).toEqual(root ? [1, ""] : [2, expect.any(String)]);
    if (!root) expect(r.err).toMatch(/secret.txt: cannot read \(EACCES\)/);
  });
});
