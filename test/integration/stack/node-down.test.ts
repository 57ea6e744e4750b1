/**
 * test/stack/node-down.sh from a stack that ran no node (no node directory) leaves the
 * host's node things alone: another stack's node on this host owns the bridge. (A second
 * stack's `stack:up`, which runs down first, once deleted a running node's bridge.)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const script = join(__dirname, '..', '..', 'stack', 'node-down.sh');
const root = process.getuid?.() === 0;
const bridge = `sbt${process.pid % 100000}`;
const link = (): boolean => spawnSync('ip', ['link', 'show', bridge], { stdio: 'ignore' }).status === 0;

(root ? describe : describe.skip)('node-down.sh without a node of its own (needs root: ip link)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-node-down-'));
    execFileSync('ip', ['link', 'add', bridge, 'type', 'bridge']);
  });
  afterAll(() => {
    if (link()) execFileSync('ip', ['link', 'delete', bridge]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits 0 and keeps the bridge of the node it did not start', () => {
    const r = spawnSync('bash', [script], { env: { ...process.env, SB_STACK_DIR: dir, SB_NODE_BRIDGE: bridge }, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(link()).toBe(true);
  });
});
