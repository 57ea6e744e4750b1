import { PassThrough } from 'node:stream';
import { commandsFor, runCli } from '../../../src/cli/main';
import { packageVersion } from '../../../src/version';

function io() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const text = (s: PassThrough) => (s.read() as Buffer | null)?.toString('utf8') ?? '';
  return { io: { env: {}, stdout, stderr }, out: () => text(stdout), err: () => text(stderr) };
}

describe('secrets-broker CLI root', () => {
  it.each([
    { argv: ['--help'], code: 0, stream: 'out', expect: /Usage: secrets-broker/ },
    { argv: ['--version'], code: 0, stream: 'out', expect: new RegExp(`^${packageVersion().replace(/\./g, '\\.')}\\n$`) },
    { argv: ['no-such-command'], code: 2, stream: 'err', expect: /too many arguments|unknown command/ },
    { argv: ['--no-such-flag'], code: 2, stream: 'err', expect: /unknown option/ },
  ])('$argv exits $code', async ({ argv, code, stream, expect: pattern }) => {
    const t = io();
    await expect(runCli(argv, t.io)).resolves.toBe(code);
    expect(stream === 'out' ? t.out() : t.err()).toMatch(pattern);
  });

  it.each([
    { argv: ['sidecar', '--once'], names: ['sidecar'] },
    { argv: ['audit', 'verify', 'a.log'], names: ['audit'] },
    { argv: ['scan', '.'], names: ['scan'] },
    { argv: ['--help'], names: ['injector', 'sidecar', 'audit', 'scan', 'explain', 'policy', 'doctor'] },
    { argv: [], names: ['injector', 'sidecar', 'audit', 'scan', 'explain', 'policy', 'doctor'] },
    { argv: ['sidecars'], names: ['injector', 'sidecar', 'audit', 'scan', 'explain', 'policy', 'doctor'] },
  ])('loads only the command named first: $argv', ({ argv, names }) => {
    expect(commandsFor(argv)).toEqual(names);
  });

  it('lists every command in the root help, and a command\'s own help works alone', async () => {
    const root = io();
    await runCli(['--help'], root.io);
    expect(root.out()).toMatch(/injector[\s\S]*sidecar[\s\S]*audit[\s\S]*scan/);
    const one = io();
    await expect(runCli(['sidecar', '--help'], one.io)).resolves.toBe(0);
    expect(one.out()).toMatch(/Usage: secrets-broker sidecar/);
  });

  it('reads the version from package.json', () => {
    expect(packageVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
