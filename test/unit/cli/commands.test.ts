/** Each command is a function that resolves to its exit code; none of them touches process.exitCode. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { auditVerify } from '../../../src/cli/audit';
import { EXIT } from '../../../src/cli/exit';
import { runCli } from '../../../src/cli/main';
import { scan } from '../../../src/cli/scan';
import { sidecar } from '../../../src/cli/sidecar';
import { RuntimeFailure, UsageError } from '../../../src/errors';
import { plant } from '../../helpers/fake-secrets';
import { makeHarness, secret } from '../../helpers/harness';
import { listenLocal } from '../../helpers/net';

function io(env: Record<string, string> = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const text = (s: PassThrough) => (s.read() as Buffer | null)?.toString('utf8') ?? '';
  return { io: { env, stdout, stderr }, out: () => text(stdout), err: () => text(stderr) };
}

const dir = (): string => mkdtempSync(join(tmpdir(), 'cli-commands-'));

describe('commands called like functions', () => {
  const before = process.exitCode;
  afterEach(() => expect(process.exitCode).toBe(before));

  it.each([
    ['a clean directory', '', EXIT.OK],
    ['a planted token', plant('github-token', 7).text, EXIT.FOUND],
  ])('scan over %s resolves to its code', async (_what, text, code) => {
    const d = dir();
    writeFileSync(join(d, 'app.ts'), `export const a = 1;\n${text}\n`);
    await expect(scan([d], { format: 'json', failOn: 'low' }, io().io)).resolves.toBe(code);
  });

  it('scan with an unwritable --output is a runtime failure', async () => {
    const d = dir();
    const r = scan([d], { format: 'json', failOn: 'low', output: join(d, 'missing', 'out.json') }, io().io);
    await expect(r).rejects.toThrow(RuntimeFailure);
    await expect(r).rejects.toThrow(/--output .*out.json: cannot write \(ENOENT\)/);
  });

  it('scan through the CLI: an unwritable --output exits 3 with one line', async () => {
    const d = dir();
    const t = io();
    await expect(runCli(['scan', '-o', d, d], t.io)).resolves.toBe(EXIT.RUNTIME);
    expect(t.err()).toBe(`secrets-broker: --output ${d}: cannot write (EISDIR)\n`);
  });

  it('audit verify of a missing file is bad usage', async () => {
    await expect(auditVerify([join(dir(), 'nope.log')], { format: 'text' }, io().io)).rejects.toThrow(UsageError);
  });

  it('sidecar --probe of a port nobody serves resolves to 1', async () => {
    const s = createServer();
    const port = await listenLocal(s);
    await new Promise((resolve) => s.close(resolve));
    await expect(sidecar({ probe: true }, io({ SIDECAR_HEALTH_PORT: String(port) }).io)).resolves.toBe(EXIT.FOUND);
  });

  it('the sidecar whose health port is taken exits 3 with one line', async () => {
    const taken = createServer();
    const port = await listenLocal(taken);
    try {
      const h = makeHarness('http://127.0.0.1:1', [secret('db', 'secret/app/db')], {}, { SIDECAR_HEALTH_PORT: String(port), SIDECAR_HEALTH_BIND: '127.0.0.1' });
      const t = io(h.env);
      const code = await runCli(['sidecar'], t.io);
      const err = t.err();
      expect({ code, err }).toEqual({ code: EXIT.RUNTIME, err: expect.any(String) });
      expect(err).toMatch(new RegExp(`^secrets-broker: sidecar health server: cannot listen on 127\\.0\\.0\\.1:${port} \\(EADDRINUSE, the port is in use\\)\\n$`, 'm'));
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
