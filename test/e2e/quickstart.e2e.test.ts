/**
 * The docker-compose quickstart, run for real with podman and podman-compose: the user's
 * docker-compose.yml unchanged, plus an override file made here for what this machine lacks
 * (no registry: Vault's image is made locally from the stack's own Vault binary; podman 4.3
 * refuses `size=` on tmpfs volumes as a quota option). Asserts what a user sees: the app
 * prints the secret's field names, `bootstrap rotate` changes what it sees, `audit verify`
 * passes inside the sidecar, `down -v` leaves no container, volume or network.
 *
 * podman 4.3 (Debian 12) has two gaps podman-compose works around badly: it cannot wait for
 * a healthy dependency (needs podman 4.6), and its `--requires` graph fails when a one-shot
 * dependency has exited. So `up` runs with `--no-deps`; the stack is built not to need the
 * order: bootstrap waits for Vault to answer, the sidecar retries its login with backoff,
 * the app waits for its file.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { stack, uniqueName, waitFor } from './helpers';

// A per-test limit for jest, not a wait: the waits below are conditions with deadlines.
jest.setTimeout(240_000);

const run = promisify(execFile);
const repo = join(__dirname, '..', '..');
const project = uniqueName('sbq').replace(/-/g, '');
const work = mkdtempSync(join(tmpdir(), 'sb-quickstart-'));
const env = { ...process.env, CONTAINERS_CONF: join(work, 'containers.conf') };
let compose: string[] = [];

async function podman(args: string[]): Promise<string> {
  return (await run('podman', args, { env, maxBuffer: 16 << 20 })).stdout;
}
async function pc(args: string[]): Promise<{ code: number; out: string }> {
  try {
    const r = await run(compose[0]!, [...compose.slice(1), ...args], { env, cwd: repo, maxBuffer: 16 << 20 });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}
const label = `io.podman.compose.project=${project}`;
const containerOf = async (service: string): Promise<string> =>
  (await podman(['ps', '-a', '--filter', `label=${label}`, '--filter', `label=com.docker.compose.service=${service}`, '--format', '{{.Names}}'])).trim().split('\n')[0] ?? '';
const logsOf = async (service: string): Promise<string> => {
  const r = await run('podman', ['logs', await containerOf(service)], { env, maxBuffer: 16 << 20 });
  return r.stdout + r.stderr;
};

beforeAll(async () => {
  // The VM's hard limits are below podman's default rlimits (no CAP_SYS_RESOURCE).
  writeFileSync(env.CONTAINERS_CONF, '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1000:1000"]\n');
  const vaultImage = (await run('bash', [join(repo, 'test', 'stack', 'vault-image.sh')], { env })).stdout.trim().split('\n').at(-1)!;
  const user = parse(readFileSync(join(repo, 'docker-compose.yml'), 'utf8')) as { volumes: Record<string, { driver_opts: { o: string } }> };
  const volumes = Object.fromEntries(
    Object.entries(user.volumes).map(([name, v]) => [name, { driver_opts: { ...v.driver_opts, o: v.driver_opts.o.split(',').filter((o) => !o.startsWith('size=')).join(',') } }]),
  );
  const override = join(work, 'override.yml');
  writeFileSync(override, stringify({ services: { vault: { image: vaultImage } }, volumes }));
  compose = [join(stack().SB_BIN, 'podman-compose'), '-f', join(repo, 'docker-compose.yml'), '-f', override, '-p', project];
});

afterAll(async () => {
  if (compose.length > 0) await pc(['down', '-v']);
  // podman-compose 1.6 leaves the project's network behind on podman 4.3; remove it by name.
  await podman(['network', 'rm', '--force', `${project}_default`]).catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
});

describe('the compose quickstart under podman', () => {
  it('comes up and the app prints the secret\'s field names, not its values', async () => {
    const up = await pc(['up', '-d', '--no-deps']);
    expect(up).toMatchObject({ code: 0 });
    await waitFor('the app to see version 1 of the secret', async () => (await logsOf('app')).includes('message="hello from Vault, version 1"'), {
      timeoutMs: 120_000,
      intervalMs: 500,
      detail: () => up.out.slice(-2000),
    });
    const app = await logsOf('app');
    expect(app).toMatch(/changed \(mode 440, owner 65530:65530\): message="hello from Vault, version 1" password=<\d+ chars, hidden>/);
  });

  it('bootstrap rotate changes what the app sees', async () => {
    const rotate = await pc(['run', '--rm', '--no-deps', 'bootstrap', 'rotate']);
    expect(rotate.out).toContain('is now version 2');
    expect(rotate.code).toBe(0);
    await waitFor('the app to see version 2', async () => (await logsOf('app')).includes('message="hello from Vault, version 2"'), { timeoutMs: 30_000, intervalMs: 500 });
  });

  it('the sidecar\'s audit trail verifies inside the sidecar', async () => {
    const verify = await pc(['exec', 'sidecar', 'secrets-broker', 'audit', 'verify', '/audit/sidecar.jsonl']);
    expect(verify.out).toMatch(/^OK: \d+ records/m);
    expect(verify.code).toBe(0);
    const sidecar = await logsOf('sidecar');
    expect(sidecar).toContain('"event":"secret.rotate"');
    expect(sidecar).not.toMatch(/"password"|hvs\.|eyJ/);
  });

  it('down -v leaves no container and no volume', async () => {
    expect((await pc(['down', '-v'])).code).toBe(0);
    expect((await podman(['ps', '-a', '-q', '--filter', `label=${label}`])).trim()).toBe('');
    expect((await podman(['volume', 'ls', '-q', '--filter', `label=${label}`])).trim()).toBe('');
  });
});
