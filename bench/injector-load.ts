/**
 * Load for `npm run bench injector`. Saturation: wrk (`taskset -c 1 wrk -t1 -c16`, POST from
 * a Lua script) when it is installed (PATH, or SB_BENCH_WRK), since a Node client on one
 * core runs out before either server does; else autocannon, and the table says so. Every
 * saturation response must be byte-equal to a reference answer that was checked in full.
 * Fixed rate (200 req/s): autocannon, every response checked in full.
 */
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';

export interface Saturation {
  requests: number;
  perSecond: number;
  /** Responses that were not 200 or differ from the checked reference. */
  bad: number;
}

export function findWrk(): string | undefined {
  const named = process.env.SB_BENCH_WRK;
  if (named) return named;
  try {
    return execFileSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const LUA = `
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local function slurp(p) local f = assert(io.open(p, "rb")); local s = f:read("*a"); f:close(); return s end
wrk.body = slurp(os.getenv("SB_BODY"))
local expected = slurp(os.getenv("SB_EXPECTED"))
local threads = {}
function setup(t) table.insert(threads, t) end
function init() bad = 0 end
function response(status, headers, body) if status ~= 200 or body ~= expected then bad = bad + 1 end end
function done(summary) local b = 0; for _, t in ipairs(threads) do b = b + t:get("bad") end; io.write("SB_BAD ", b, "\\n") end
`;

export async function saturate(wrk: string | undefined, url: string, body: string, expected: string, dir: string, seconds: number, pinned: boolean): Promise<Saturation> {
  if (!wrk) return autocannonSaturate(url, body, expected, seconds);
  writeFileSync(join(dir, 'post.lua'), LUA);
  writeFileSync(join(dir, 'body.json'), body);
  writeFileSync(join(dir, 'expected.json'), expected);
  const argv = [wrk, '-t1', '-c16', `-d${seconds}s`, '-s', join(dir, 'post.lua'), url];
  const [cmd, ...args] = pinned ? ['taskset', '-c', '1', ...argv] : argv;
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(cmd!, args, { env: { ...process.env, SB_BODY: join(dir, 'body.json'), SB_EXPECTED: join(dir, 'expected.json') } });
    let text = '';
    child.stdout.on('data', (c: Buffer) => (text += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited with ${code}`))));
  });
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)?.slice(1).reduce((a, n) => a + Number(n), 0) ?? 0;
  return { requests, perSecond: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0), bad: Number(/SB_BAD (\d+)/.exec(out)?.[1] ?? requests) + errors };
}

async function autocannonSaturate(url: string, body: string, expected: string, seconds: number): Promise<Saturation> {
  let bad = 0;
  const result = await run({
    url, connections: 16, duration: seconds,
    requests: [{ method: 'POST', body, headers: { 'content-type': 'application/json' }, onResponse: (status: number, text: string) => void (status === 200 && text === expected ? 0 : bad++) }],
  });
  return { requests: result.requests.total, perSecond: result.requests.total / seconds, bad: bad + result.errors };
}

export interface FixedRate {
  /** Latencies of the answers after the first second. */
  latencies: number[];
  /** The slowest answer of the first second, while the client opens its connections (each a TLS handshake). */
  openingMaxMs: number;
  bodies: string[];
  failed: number;
}

/** What the first second of a fixed-rate run is: its connections opening, left out of the latencies. */
export const OPENING_MS = 1000;

/**
 * 200 req/s over 10 connections for `seconds` after a first second that is not counted:
 * the client opens its 10 connections then (10 TLS handshakes at once, and its own start),
 * which the apiserver, keeping its connections to a webhook alive, does not repeat per pod.
 * Bodies are kept for checking afterwards, so checking does not slow the client.
 */
export async function fixedRate(url: string, body: string, seconds: number): Promise<FixedRate> {
  const latencies: number[] = [];
  let openingMaxMs = 0;
  const bodies: string[] = [];
  const t0 = Date.now();
  const result = await run(
    { url, connections: 10, overallRate: 200, duration: seconds + OPENING_MS / 1000, requests: [{ method: 'POST', body, headers: { 'content-type': 'application/json' }, onResponse: (_s: number, text: string) => void bodies.push(text) }] },
    (ms) => (Date.now() - t0 < OPENING_MS ? (openingMaxMs = Math.max(openingMaxMs, ms)) : latencies.push(ms)),
  );
  return { latencies, openingMaxMs, bodies, failed: result.non2xx + result.errors };
}

function run(opts: autocannon.Options, onLatency?: (ms: number) => void): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(opts, (err, result) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(result)));
    if (onLatency) instance.on('response', (_c, _status, _bytes, ms) => onLatency(ms));
  });
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;
}
