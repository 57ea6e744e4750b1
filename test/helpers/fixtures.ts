/**
 * The one loader of test/fixtures: every fixture is read from the repository (never from a
 * path outside it), parsed once, and handed out as a fresh deep copy on every call, so a
 * test may mutate what it gets without touching the next test's copy.
 * Sources and licences: test/fixtures/README.md and test/fixtures/pods/README.md.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AdmissionReview, Pod } from '../../src/inject/types';

/** The fixtures directory, found from this file so any checkout works. */
export const FIXTURES_DIR = join(__dirname, '..', 'fixtures');
export const ADMISSION_DIR = join(FIXTURES_DIR, 'admission');
export const PODS_DIR = join(FIXTURES_DIR, 'pods');

/** The AdmissionReview fixtures (test/fixtures/admission/<name>.json); a test checks the list against the directory. */
export const ADMISSION_FIXTURES = [
  'deployment-create',
  'pod-create-1000-env',
  'pod-create-init-containers',
  'pod-create-kube-system',
  'pod-create-no-opt-in',
  'pod-create-small',
  'pod-create-v1beta1',
  'pod-update-ephemeral',
] as const;
export type AdmissionFixture = (typeof ADMISSION_FIXTURES)[number];

export function isAdmissionFixture(name: string): name is AdmissionFixture {
  return (ADMISSION_FIXTURES as readonly string[]).includes(name);
}

/** One pod of the corpus: its file name under test/fixtures/pods and the pod. */
export interface CorpusPod {
  file: string;
  pod: Pod;
}

const parsed = new Map<string, unknown>();

function load<T>(path: string): T {
  if (!parsed.has(path)) parsed.set(path, JSON.parse(readFileSync(path, 'utf8')));
  return structuredClone(parsed.get(path)) as T;
}

/** A fresh copy of an AdmissionReview fixture. */
export function admissionReview(name: AdmissionFixture): AdmissionReview {
  return load<AdmissionReview>(join(ADMISSION_DIR, `${name}.json`));
}

/** The corpus file names, sorted. */
export function corpusFiles(): string[] {
  return readdirSync(PODS_DIR).filter((f) => f.endsWith('.json')).sort();
}

/** Fresh copies of every pod of the corpus (real pod templates from public projects), sorted by file. */
export function corpusPods(): CorpusPod[] {
  return corpusFiles().map((file) => ({ file, pod: load<Pod>(join(PODS_DIR, file)) }));
}

/** A fresh copy of the SARIF 2.1.0 JSON schema. */
export function sarifSchema(): Record<string, unknown> {
  return load<Record<string, unknown>>(join(FIXTURES_DIR, 'sarif-schema-2.1.0.json'));
}
