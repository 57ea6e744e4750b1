/**
 * Scanner throughput against gitleaks on one core: a generated directory of source-like
 * text with planted fake secrets, and a docker-save image archive of the same files.
 * Alternates A, B, A, B; prints medians and which planted secrets each tool found.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { FAKE_KINDS, plant, rng } from '../test/helpers/fake-secrets';
import { dockerSave } from '../test/helpers/tar-builder';
import { formatCoverage } from './scan-formats';
import { gitleaks as peer } from './scan-peer';
import { pin, precision, timed } from './scan-precision';

/** Source-like lines; some mention tokens and passwords the way real code does, which wakes keyword-gated rules. */
const LINES = [
  'export function handle(req: Request, res: Response): void {',
  '  const user = await repo.findUser(req.params.id);',
  '  if (!user) return res.status(404).json({ error: "not found" });',
  '  // the token is read from the mounted file, never from the environment',
  '  const tokenPath = config.tokenFile ?? "/var/run/secrets/vault/token";',
  '  logger.info({ user: user.id, count: items.length }, "loaded items");',
  '  password: process.env.DB_PASSWORD,',
  '  integrity: "sha512-Qm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5d2FsZG9mcmVkcGx1Z3h5enp5",',
  '  for (const item of items) total += item.price * item.quantity;',
  'import { createHash } from "node:crypto";',
  '  commit: 5d41402abc4b2a76b9719d911017c592aa0f1c3e,',
  '  secret: ${SECRET_FROM_VAULT}',
  '}',
  '',
];

/** The same kind of code without any secret-related word: the keyword prefilters of both tools stay idle. */
const NEUTRAL = LINES.filter((l) => !/token|secret|password|integrity|commit/i.test(l));

interface PlantedAt { kind: string; file: string; line: number }

function generate(dir: string, megabytes: number, lines0: readonly string[]): PlantedAt[] {
  const next = rng(42);
  const planted: PlantedAt[] = [];
  const files = Math.ceil((megabytes * 1e6) / 200_000);
  const perFile = Math.ceil((2 * FAKE_KINDS.length) / files) || 1;
  for (let f = 0; f < files; f++) {
    const sub = join(dir, `pkg${f % 20}`, 'src');
    mkdirSync(sub, { recursive: true });
    const file = join(sub, `module-${f}.ts`);
    const lines: string[] = [];
    for (let size = 0; size < 200_000; ) {
      const l = lines0[Math.floor(next() * lines0.length)]!;
      lines.push(l);
      size += l.length + 1;
    }
    for (let k = 0; k < perFile && planted.length < 2 * FAKE_KINDS.length; k++) {
      const kind = FAKE_KINDS[planted.length % FAKE_KINDS.length]!;
      const at = Math.floor(next() * lines.length);
      lines.splice(at, 0, plant(kind, planted.length + 100).text);
      planted.push({ kind, file: relative(dir, file), line: at + 1 });
    }
    writeFileSync(file, lines.join('\n'));
  }
  return planted;
}

function du(dir: string, files: string[]): number {
  return files.reduce((n, f) => n + statSync(join(dir, f)).size, 0);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Measured {
  rows: string[];
  notes: string[];
}

async function measure(label: string, lines: readonly string[], mb: number, runs: number, withImage: boolean): Promise<Measured> {
  const work = mkdtempSync(join(tmpdir(), 'bench-scan-'));
  const ctx = join(work, 'ctx');
  const planted = generate(ctx, mb, lines);
  const all = (readdirSync(ctx, { recursive: true }) as string[]).filter((f) => statSync(join(ctx, f)).isFile());
  const bytes = du(ctx, all);
  const image = join(work, 'image.tar');
  const half = all.slice(0, Math.ceil(all.length / 2));
  if (withImage) {
    const layers = [half.slice(0, half.length / 2), half.slice(half.length / 2)];
    writeFileSync(image, await dockerSave({ layers: layers.map((l) => l.map((f) => ({ name: `app/${f}`, content: readFileSync(join(ctx, f)) }))) }));
  }
  const imageBytes = withImage ? statSync(image).size : 0;
  const bin = resolve(__dirname, '../src/cli/bin.js');
  const gitleaks = peer();
  const ours = join(work, 'ours.json');
  const theirs = join(work, 'gitleaks.json');
  const t = { ours: [] as number[], gitleaks: [] as number[], image: [] as number[] };
  for (let i = 0; i < runs; i++) {
    t.ours.push(await timed(...pin('node', [bin, 'scan', '--format', 'json', '--output', ours, ctx])));
    if (gitleaks) t.gitleaks.push(await timed(...pin(gitleaks, ['dir', ctx, '--no-banner', '--report-format', 'json', '--report-path', theirs])));
    if (withImage) t.image.push(await timed(...pin('node', [bin, 'scan', '--format', 'json', '--output', join(work, 'image.json'), image])));
  }
  const ourHits = (JSON.parse(readFileSync(ours, 'utf8')) as { findings: Array<{ file: string; line: number }> }).findings;
  const theirHits = existsSync(theirs) ? (JSON.parse(readFileSync(theirs, 'utf8')) as Array<{ File: string; StartLine: number }>) : [];
  const found = (hits: Array<{ file: string; line: number }>) => planted.filter((p) => hits.some((h) => relative(ctx, resolve(h.file)) === p.file && h.line === p.line));
  const oursFound = found(ourHits);
  const theirsFound = found(theirHits.map((h) => ({ file: h.File, line: h.StartLine })));
  const missed = theirsFound.filter((p) => !oursFound.includes(p));
  const rate = (b: number, s: number) => (s > 0 ? b / 1e6 / s : 0);
  const row = (m: string, a: number, b: number | undefined) =>
    `| ${label}: ${m} | ${a.toFixed(2)} | ${b === undefined ? 'n/a' : b.toFixed(2)} | ${b === undefined || b === 0 ? 'n/a' : (a / b).toFixed(2)} |`;
  const g = t.gitleaks.length > 0 ? median(t.gitleaks) : undefined;
  const kinds = (ps: PlantedAt[]) => [...new Set(ps.map((p) => p.kind))].join(', ') || 'none';
  const rows = [
    row('directory scan time (s)', median(t.ours), g),
    row('directory throughput (MB/s)', rate(bytes, median(t.ours)), g === undefined ? undefined : rate(bytes, g)),
    ...(withImage ? [row(`image archive throughput (MB/s, ${(imageBytes / 1e6).toFixed(1)} MB, 2 layers)`, rate(imageBytes, median(t.image)), undefined)] : []),
    `| ${label}: planted secrets found (of ${planted.length}) | ${oursFound.length} | ${existsSync(theirs) ? theirsFound.length : 'n/a'} | |`,
    `| ${label}: found by gitleaks, missed by us | ${missed.length} | | |`,
    `| ${label}: findings outside the planted set | ${ourHits.length - oursFound.length} | ${theirHits.length - theirsFound.length} | |`,
  ];
  const notes = [
    `${label}: ${(bytes / 1e6).toFixed(1)} MB in ${all.length} files; kinds we missed: ${kinds(planted.filter((p) => !oursFound.includes(p)))}; kinds gitleaks missed: ${existsSync(theirs) ? kinds(planted.filter((p) => !theirsFound.includes(p))) : 'n/a'}.`,
  ];
  rmSync(work, { recursive: true, force: true });
  return { rows, notes };
}

/**
 * Runs the benchmark and prints markdown tables. Flags: --mb=N (default 100), --runs=N
 * (default 3), --corpus-mb=N (precision corpora, default 50), --only=throughput|precision|formats.
 */
export async function main(args: string[]): Promise<void> {
  const flag = (n: string, d: number) => Number(args.find((a) => a.startsWith(`--${n}=`))?.split('=')[1] ?? d);
  const only = args.find((a) => a.startsWith('--only='))?.split('=')[1];
  if (only === undefined || only === 'throughput') await throughput(flag('mb', 100), flag('runs', 3));
  if (only === undefined || only === 'precision') process.stdout.write(`\n${(await precision(args)).join('\n')}`);
  if (only === undefined || only === 'formats') process.stdout.write(`\n${formats().join('\n')}`);
}

/** Which of gitleaks's distinctive formats ours finds (bench/scan-formats.ts). */
function formats(): string[] {
  const work = mkdtempSync(join(tmpdir(), 'bench-formats-'));
  try {
    const c = formatCoverage(join(work, 'samples'), peer(), ['node', resolve(__dirname, '../src/cli/bin.js')]);
    if (!c) return ['Format coverage: gitleaks or its configuration (Go module cache) not on this machine, skipped.', ''];
    const pct = c.verified.length > 0 ? ((100 * c.found.length) / c.verified.length).toFixed(1) : 'n/a';
    return [
      `Format coverage against gitleaks ${c.version}'s default configuration (${c.total} rules), one sample per distinctive rule, planted one per file:`,
      '',
      '| metric | ours | gitleaks |',
      '| --- | --- | --- |',
      `| distinctive formats found (of ${c.verified.length}) | ${c.found.length} (${pct}%) | ${c.verified.length} |`,
      '',
      ...[...c.skipped].map(([why, ids]) => `Skipped ${ids.length}: ${why}${ids.length <= 12 ? ` (${ids.join(', ')})` : ''}.`),
      `Not counted ${c.unverified.length}: the drawn sample is not reported by gitleaks itself (${c.unverified.join(', ') || 'none'}).`,
      `Missed by ours: ${c.missed.join(', ') || 'none'}.`,
      '',
    ];
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function throughput(mb: number, runs: number): Promise<void> {
  const a = await measure('code with secret words', LINES, mb, runs, true);
  const b = await measure('neutral code', NEUTRAL, mb, runs, false);
  process.stdout.write(
    [
      `${runs} alternating runs each (ours, gitleaks, ours on the image), medians, wall time of the CLI as a child process pinned to one core with taskset, Node start-up included.`,
      '',
      '| metric | ours | gitleaks | ratio |',
      '| --- | --- | --- | --- |',
      ...a.rows,
      ...b.rows,
      '',
      ...a.notes,
      ...b.notes,
      '',
    ].join('\n'),
  );
}
