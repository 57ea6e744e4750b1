/**
 * Precision on real installed code: each corpus (bench/scan-corpus.ts) is scanned by our
 * CLI (OUR_RUNS times, the median time kept) and once by gitleaks; a planted secret counts
 * as found when a tool reports its file and line; every other finding is either on the
 * reviewed list of true test keys (bench/scan-precision-reviewed.txt) or counted as a false
 * finding. With SB_BENCH_NODE set (the image's node, say), each corpus is scanned on it
 * too, for its throughput.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { bound } from './scan-bound';
import { buildCorpus, corpusSources, type Corpus } from './scan-corpus';
import { gitleaks as peer } from './scan-peer';

interface Hit {
  file: string;
  line: number;
  rule: string;
}

/** Wall time in seconds of a child process; its exit code does not matter (a scan with findings exits 1). */
export function timed(cmd: string, args: string[]): Promise<number> {
  const t0 = process.hrtime.bigint();
  return new Promise((ok, fail) => {
    execFile(cmd, args, { maxBuffer: 1 << 26 }, (err) => {
      const code = (err as { code?: unknown } | null)?.code;
      if (err && typeof code !== 'number') return fail(new Error(err.message));
      ok(Number(process.hrtime.bigint() - t0) / 1e9);
    });
  });
}

/** `cmd` pinned to core 0 with taskset, when there is one. */
export const pin = (cmd: string, args: string[]): [string, string[]] => (existsSync('/usr/bin/taskset') ? ['taskset', ['-c', '0', cmd, ...args]] : [cmd, args]);

/** One reviewed finding: corpus label, path glob (`*` within a segment) relative to the corpus root, rule id or `*`. */
interface Reviewed {
  label: string;
  path: RegExp;
  rule: string;
}

const globRe = (glob: string): RegExp => new RegExp(`^${glob.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`);

/** Reviewed findings: `LABEL PATH RULE  # reason`, one a line. */
function reviewed(): Reviewed[] {
  const text = readFileSync(resolve(__dirname, '../../bench/scan-precision-reviewed.txt'), 'utf8');
  const lines = text.split('\n').map((l) => l.replace(/#.*$/, '').trim()).filter((l) => l !== '');
  return lines.map((l) => {
    const [label = '', path = '', rule = '*'] = l.split(/\s+/);
    return { label, path: globRe(path), rule };
  });
}

interface Outcome {
  seconds: number;
  found: number;
  reviewed: number;
  other: Hit[];
}

function judge(c: Corpus, hits: Hit[], seconds: number, ok: Reviewed[]): Outcome {
  const planted = (h: Hit) => c.planted.some((p) => p.file === h.file && p.line === h.line);
  const found = c.planted.filter((p) => hits.some((h) => h.file === p.file && h.line === p.line)).length;
  const rest = hits.filter((h) => !planted(h));
  const isReviewed = (h: Hit) => ok.some((r) => r.label === c.label && r.path.test(h.file) && (r.rule === '*' || r.rule === h.rule));
  return { seconds, found, reviewed: rest.filter(isReviewed).length, other: rest.filter((h) => !isReviewed(h)) };
}

/** A second node to time our scans on (the image's, say), beside the host's `node`. */
const OTHER_NODE = process.env.SB_BENCH_NODE;

/** Scans of each corpus by our CLI, on each node: a second takes about one, and one run on this shared machine can be a tenth off either way. */
export const OUR_RUNS = 3;

/**
 * Our scan of a corpus on `node`, OUR_RUNS times: its hits (the same every run, or the
 * benchmark fails), the median time, and the bytes it read (gzip files counted inflated,
 * binary files at their size).
 */
async function ours(c: Corpus, work: string, node = 'node'): Promise<{ hits: Hit[]; seconds: number; scanned: number }> {
  const out = join(work, `${c.label}-ours.json`);
  const runs: Array<{ seconds: number; report: string }> = [];
  for (let i = 0; i < OUR_RUNS; i++) {
    const seconds = await timed(...pin(node, [resolve(__dirname, '../src/cli/bin.js'), 'scan', '--format', 'json', '--output', out, c.dir]));
    runs.push({ seconds, report: readFileSync(out, 'utf8') });
  }
  if (runs.some((r) => r.report !== runs[0]?.report)) throw new Error(`${c.label}: our scans of the same corpus disagree`);
  const r = JSON.parse(runs[0]?.report ?? '{}') as { findings: Array<{ file: string; line?: number; ruleId: string }>; counts: { bytes: number } };
  const seconds = runs.map((x) => x.seconds).sort((a, b) => a - b)[Math.floor(OUR_RUNS / 2)] ?? 0;
  return { seconds, scanned: r.counts.bytes, hits: r.findings.map((f) => ({ file: relative(c.dir, resolve(f.file)), line: f.line ?? 0, rule: f.ruleId })) };
}

async function gitleaks(c: Corpus, work: string, bin: string): Promise<{ hits: Hit[]; seconds: number }> {
  const out = join(work, `${c.label}-gitleaks.json`);
  const seconds = await timed(...pin(bin, ['dir', c.dir, '--no-banner', '--report-format', 'json', '--report-path', out]));
  const r = JSON.parse(readFileSync(out, 'utf8')) as Array<{ File: string; StartLine: number; RuleID: string }>;
  return { seconds, hits: r.map((f) => ({ file: relative(c.dir, resolve(f.File)), line: f.StartLine, rule: f.RuleID })) };
}

const byRule = (hits: Hit[]): string =>
  Object.entries(hits.reduce<Record<string, number>>((a, h) => ({ ...a, [h.rule]: (a[h.rule] ?? 0) + 1 }), {}))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([r, n]) => `${r} ${n}`)
    .join(', ') || 'none';

/** Builds the corpora, scans each once with both tools, prints a table. Flag: --corpus-mb=N (default 50). */
export async function precision(args: string[]): Promise<string[]> {
  const mb = Number(args.find((a) => a.startsWith('--corpus-mb='))?.split('=')[1] ?? 50);
  const work = mkdtempSync(join(tmpdir(), 'bench-precision-'));
  const bin = peer();
  const ok = reviewed();
  // Node start-up, pinned like the scans: the median of three.
  const starts = [await timed(...pin('node', ['-e', '0'])), await timed(...pin('node', ['-e', '0'])), await timed(...pin('node', ['-e', '0']))];
  const start = starts.sort((a, b) => a - b)[1] ?? 0;
  const rows: string[] = [];
  const notes: string[] = [];
  try {
    for (const [i, s] of corpusSources(resolve(__dirname, '../..')).entries()) {
      if (s.source === undefined || !existsSync(s.source)) {
        notes.push(`${s.label} (${s.what}): not on this machine, skipped.`);
        continue;
      }
      const c = buildCorpus(s.label, s.source, join(work, s.label), mb * 1e6, 1000 * (i + 1));
      const a = await ours(c, work);
      const b = bin ? await gitleaks(c, work, bin) : undefined;
      const mine = judge(c, a.hits, a.seconds, ok);
      const theirs = b && judge(c, b.hits, b.seconds, ok);
      const mbs = (o: Outcome | undefined) => (o ? (c.bytes / 1e6 / o.seconds).toFixed(1) : 'n/a');
      const n = c.planted.length;
      rows.push(
        `| ${c.label}: planted found (of ${n}) | ${mine.found} | ${theirs?.found ?? 'n/a'} |`,
        `| ${c.label}: other findings, not reviewed | ${mine.other.length} | ${theirs?.other.length ?? 'n/a'} |`,
        `| ${c.label}: reviewed true test keys | ${mine.reviewed} | ${theirs?.reviewed ?? 'n/a'} |`,
        `| ${c.label}: throughput (MB/s on disk, one core) | ${mbs(mine)} | ${mbs(theirs)} |`,
        `| ${c.label}: throughput (MB/s of bytes read, gzip counted inflated: ${(a.scanned / 1e6).toFixed(1)} MB) | ${(a.scanned / 1e6 / a.seconds).toFixed(1)} | n/a |`,
      );
      if (OTHER_NODE) {
        const other = await ours(c, work, OTHER_NODE);
        const same = other.hits.length === a.hits.length ? '' : ` (${other.hits.length} findings against ${a.hits.length})`;
        rows.push(`| ${c.label}: throughput on SB_BENCH_NODE (MB/s on disk, one core)${same} | ${(c.bytes / 1e6 / other.seconds).toFixed(1)} | n/a |`);
      }
      notes.push(
        `${c.label} (${s.what}): ${(c.bytes / 1e6).toFixed(1)} MB in ${c.files} files. Other findings by rule: ours ${byRule(mine.other)}; gitleaks ${theirs ? byRule(theirs.other) : 'n/a'}.`,
        bound(c.label, c.dir, c.bytes, start),
        ...mine.other.slice(0, 10).map((h) => `  ours: ${h.rule} ${h.file}:${h.line}`),
        ...(theirs?.other.slice(0, 10).map((h) => `  gitleaks: ${h.rule} ${h.file}:${h.line}`) ?? []),
      );
      rmSync(c.dir, { recursive: true, force: true });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return [
    `Precision on installed code: one benchmark run, corpora capped, two of each fake kind planted in random text files; our times are the median of ${OUR_RUNS} scans (the same findings each time), gitleaks's one scan.`,
    '',
    '| metric | ours | gitleaks |',
    '| --- | --- | --- |',
    ...rows,
    '',
    ...notes,
    '',
  ];
}
