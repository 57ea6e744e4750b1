/**
 * Runs the stack's helm (built by `npm run stack:build`) on the chart and parses what it
 * renders. Used by the chart's template tests and its end-to-end test.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { cacheDir } from './cache-dir';

const run = promisify(execFile);

export const CHART_DIR = resolve(__dirname, '..', '..', 'helm', 'secrets-broker');

/** The helm binary the test stack builds. */
export function helmBin(): string {
  return join(process.env.SB_BIN ?? join(cacheDir(), 'bin'), 'helm');
}

export function haveHelm(): boolean {
  return existsSync(helmBin());
}

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs helm with `values` written to a temp file (-f); never rejects. */
export async function helm(args: string[], values?: object, env: NodeJS.ProcessEnv = process.env): Promise<HelmResult> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-helm-'));
  try {
    const file = join(dir, 'values.json');
    if (values) writeFileSync(file, JSON.stringify(values));
    const { stdout, stderr } = await run(helmBin(), [...args, ...(values ? ['-f', file] : [])], { env, maxBuffer: 32 << 20 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? String(err) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: any;
}

/** Parses a multi-document manifest; empty documents are dropped. */
export function parseManifests(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null && typeof o === 'object');
}

/** `helm template` of the chart into namespace `ns`; throws with helm's stderr on failure. */
export async function renderChart(values: object, ns = 'secrets-broker', release = 'sb'): Promise<K8sObject[]> {
  const r = await helm(['template', release, CHART_DIR, '--namespace', ns], values);
  if (r.code !== 0) throw new Error(`helm template failed: ${r.stderr.trim()}`);
  return parseManifests(r.stdout);
}
