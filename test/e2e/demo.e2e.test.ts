/**
 * `npm run demo` on the stack's node (`npm run test:node`): the story runs to the end in
 * real pods, and leaves no process, namespace or working directory behind, whether it
 * ends on its own or is interrupted (Ctrl-C: SIGINT to its process group).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureInstalled, REPO } from './helpers/pods';
import { kubectl, waitFor } from './helpers';

jest.setTimeout(300_000);


interface Run {
  pid: number;
  out: () => string;
  ended: Promise<number | null>;
}

/** The demo in its own process group, as a terminal runs it. */
function demo(): Run {
  const child = spawn('bash', [join(REPO, 'scripts', 'demo.sh')], { cwd: REPO, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const ended = new Promise<number | null>((resolve) => child.once('close', (code, signal) => resolve(code ?? (signal ? 128 : null))));
  return { pid: child.pid ?? -1, out: () => out, ended };
}

/** What a demo run may leave behind: its namespaces, working directories and processes. */
async function leftovers(): Promise<string[]> {
  const namespaces = (await kubectl(['get', 'namespaces', '-o', 'name'])).split('\n').filter((n) => n.startsWith('namespace/sb-demo-'));
  const dirs = readdirSync(tmpdir()).filter((d) => d.startsWith('secrets-broker-demo.')).map((d) => `dir ${d}`);
  const procs: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmd.includes('scripts/demo.sh') || /kubectl.* logs -f web/.test(cmd)) procs.push(`process ${cmd.trim()}`);
    } catch {
      // gone while we looked
    }
  }
  return [...namespaces, ...dirs, ...procs];
}

beforeAll(async () => {
  await ensureInstalled(REPO);
});

it('interrupted with Ctrl-C once its pod exists: exits 130, and nothing of it is left', async () => {
  const run = demo();
  await waitFor('the demo pod created', () => run.out().includes('pod/web created'), { timeoutMs: 180_000, intervalMs: 100 });
  process.kill(-run.pid, 'SIGINT');
  expect(await run.ended).toBe(130);
  expect(run.out()).toContain('demo: FAILED (exit 130)');
  expect(await leftovers()).toEqual([]);
});

it('runs to the end: the app told of the rotation, the token revoked, the trail verified; nothing left', async () => {
  const run = demo();
  const code = await run.ended;
  expect({ code, tail: code === 0 ? '' : run.out().slice(-3000) }).toEqual({ code: 0, tail: '' });
  expect(run.out()).toMatch(/SIGHUP: greeting "hello, version 2"/);
  expect(run.out()).toMatch(/lookup-accessor answers HTTP 400/);
  expect(run.out()).toMatch(/OK: \d+ records \(\d+ log lines passed over\)/);
  expect(await leftovers()).toEqual([]);
});
