/**
 * Audit trail throughput: generates a realistic trail (default 200 MB) in a temp dir,
 * then times `audit verify` and `audit query` as child processes against standard
 * tools over the same file (sha256sum hashes every byte once: the floor for verify;
 * grep -c scans it once: the floor for query). Alternates ours/peer, quotes medians.
 * Run: npx tsc -p tsconfig.json && node dist/bench/run.js audit [--mb=200] [--runs=3]
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chainLine, EMPTY_HEAD } from '../src/audit/chain';
import type { AuditEntry } from '../src/audit/record';

const BIN = join(__dirname, '..', 'src', 'cli', 'bin.js');

function flag(args: string[], name: string, dflt: number): number {
  const a = args.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.split('=')[1]) : dflt;
}

function entry(i: number): AuditEntry {
  const n = i % 500;
  const pod = { namespace: `team-${n % 20}`, name: `web-${n}-7d9f8c6b5-x${n}k2p`, uid: `0b7c6f1e-9a3d-4c2b-8e1f-${String(n).padStart(12, '0')}`, serviceAccount: 'app', node: `node-${n % 12}` };
  const path = `secret/data/team-${n % 20}/db-${i % 7}`;
  const requestId = `6f1c2b3a-${String(i).padStart(8, '0')}-4e5f-9a8b-7c6d5e4f3a2b`;
  if (i % 50 === 0) return { event: 'auth.login', outcome: 'success', pod, vault: { role: `role-${n % 20}`, accessorHmac: `hmac-sha256:${'a1'.repeat(32)}`, requestId } };
  if (i % 97 === 0) return { event: 'secret.error', outcome: 'failure', pod, secret: `db-${i % 7}`, vault: { path, requestId }, error: '1 error occurred: permission denied' };
  return { event: i % 3 === 0 ? 'secret.renew' : 'secret.read', outcome: 'success', pod, secret: `db-${i % 7}`, file: `db-${i % 7}.json`, vault: { path, version: (i % 9) + 1, requestId, leaseIdHmac: `hmac-sha256:${'b2'.repeat(32)}` } };
}

async function generate(file: string, bytes: number): Promise<number> {
  const out = createWriteStream(file);
  let head = EMPTY_HEAD;
  let written = 0;
  let t = Date.parse('2026-11-01T00:00:00.000Z');
  for (let i = 1; written < bytes; i++) {
    const r = chainLine(head, 'sidecar', entry(i), new Date((t += 37)));
    head = r.head;
    written += Buffer.byteLength(r.line) + 1;
    if (!out.write(`${r.line}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return head.seq;
}

function time(cmd: string, args: string[], expectCode = 0): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== expectCode) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.toString().slice(0, 400)}`);
  return ms;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Case {
  name: string;
  ours: string[];
  peerName: string;
  peer: [string, string[]];
}

/** Prints a markdown table: MB/s of ours and the standard-tool floor, and the ratio. */
export async function main(args: string[]): Promise<void> {
  const mb = flag(args, 'mb', 200);
  const runs = flag(args, 'runs', 3);
  const dir = mkdtempSync(join(tmpdir(), 'bench-audit-'));
  const file = join(dir, 'audit.log');
  try {
    const records = await generate(file, mb * 1024 * 1024);
    const size = statSync(file).size / (1024 * 1024);
    const cases: Case[] = [
      { name: 'verify (chain)', ours: ['audit', 'verify', file], peerName: 'sha256sum', peer: ['sha256sum', [file]] },
      {
        name: 'query (path since T, grouped by pod)',
        ours: ['audit', 'query', '--path', 'secret/data/team-3/db-2', '--since', '2026-11-02T00:00:00Z', '--group-by', 'pod', file],
        peerName: 'grep -c',
        peer: ['grep', ['-c', 'secret/data/team-3/db-2', file]],
      },
      { name: 'query (current versions)', ours: ['audit', 'query', '--current-versions', '--format', 'json', file], peerName: 'grep -c', peer: ['grep', ['-c', 'secret.read', file]] },
    ];
    process.stdout.write(`${records} records, ${size.toFixed(0)} MB, median of ${runs} runs (alternating), node ${process.version}\n\n`);
    process.stdout.write('| case | ours MB/s | peer | peer MB/s | ours/peer |\n| --- | ---: | --- | ---: | ---: |\n');
    for (const c of cases) {
      time(process.execPath, [BIN, ...c.ours]);
      const ours: number[] = [];
      const peer: number[] = [];
      for (let i = 0; i < runs; i++) {
        ours.push(time(process.execPath, [BIN, ...c.ours]));
        peer.push(time(c.peer[0], c.peer[1]));
      }
      const a = size / (median(ours) / 1000);
      const b = size / (median(peer) / 1000);
      process.stdout.write(`| ${c.name} | ${a.toFixed(0)} | ${c.peerName} | ${b.toFixed(0)} | ${(a / b).toFixed(2)} |\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
