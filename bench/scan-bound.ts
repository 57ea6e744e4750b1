/**
 * What bounds our scan of a corpus on one core: the stages no scan of this design can
 * skip, each timed alone in this process (CPU time): reading every file, inflating the
 * gzip ones (as the scanner does, gzip-text.ts), decoding each 1 MiB window of text, and
 * the keyword pass over it. Their sum plus Node start-up is the least a scan costs before
 * any rule runs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { inflateAtOnce } from '../src/scan/gzip-text';
import { GENERIC_WORDS } from '../src/scan/match';
import { Prefilter } from '../src/scan/prefilter';
import { KNOWN_RULES } from '../src/scan/rules';
import { isBinary, WINDOW_BYTES } from '../src/scan/text-scanner';

function files(root: string): string[] {
  const out: string[] = [];
  const stack = [root];
  for (let dir = stack.pop(); dir !== undefined; dir = stack.pop()) {
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      if (d.isDirectory()) stack.push(join(dir, d.name));
      else if (d.isFile()) out.push(join(dir, d.name));
    }
  }
  return out;
}

/** CPU seconds of `f` in this process. */
function cpu<T>(f: () => T): [T, number] {
  const t0 = process.cpuUsage();
  const r = f();
  const u = process.cpuUsage(t0);
  return [r, (u.user + u.system) / 1e6];
}

const isGzip = (b: Buffer): boolean => b[0] === 0x1f && b[1] === 0x8b;

/** One line: the stage costs of scanning `dir` (`disk` bytes), and the throughput they allow with `start` seconds of Node start-up. */
export function bound(label: string, dir: string, disk: number, start: number): string {
  const [raw, read] = cpu(() => files(dir).map((f) => readFileSync(f)));
  const [texts, inflate] = cpu(() => raw.map((b) => (isGzip(b) ? (inflateAtOnce(b) ?? gunzipSync(b)) : b)).filter((b) => !isBinary(b)));
  const windows = texts.flatMap((b) => Array.from({ length: Math.ceil(b.length / WINDOW_BYTES) }, (_, i) => b.subarray(i * WINDOW_BYTES, (i + 1) * WINDOW_BYTES)));
  const [decoded, decode] = cpu(() => windows.map((w) => w.toString('latin1')));
  const prefilter = new Prefilter(KNOWN_RULES, GENERIC_WORDS);
  const [, pass] = cpu(() => decoded.forEach((t, i) => prefilter.candidates(t, windows[i])));
  const text = windows.reduce((n, w) => n + w.length, 0);
  const floor = read + inflate + decode + pass + start;
  const s = (x: number): string => x.toFixed(2);
  return (
    `${label} bound (CPU s in one process): read ${s(read)}, inflate ${s(inflate)}, decode ${s(decode)}, keyword pass ${s(pass)} ` +
    `(${(text / 1e6 / pass).toFixed(0)} MB/s over ${(text / 1e6).toFixed(1)} MB of text), Node start-up ${s(start)} (wall): ` +
    `at least ${s(floor)} s, at most ${(disk / 1e6 / floor).toFixed(1)} MB/s on disk before any rule runs.`
  );
}
