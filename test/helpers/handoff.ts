/**
 * What the sidecar's parser would see in a pod: the injector's config is used to inject
 * a pod (the real admission path), and each container of ours has its environment turned
 * into the plain record the kubelet would give the process (downward-API fields filled in,
 * the mounted CA file replaced by a real PEM file).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InjectorConfig } from '../../src/config/injector';
import { reviewPod } from '../../src/inject/review';
import type { Container } from '../../src/inject/types';
import { SIDECAR_ENV } from '../../src/sidecar-env';
import { basicPod, createReview, patched } from './injector';

const FIELDS: Record<string, string> = {
  'metadata.name': 'app-7d9c',
  'metadata.namespace': 'shop',
  'metadata.uid': '0b6f2a9e-0000-4000-8000-000000000001',
  'spec.nodeName': 'node-1',
  'spec.serviceAccountName': 'shop-api',
};

let caFile: string | undefined;
function fakeCa(): string {
  if (!caFile) {
    caFile = join(mkdtempSync(join(tmpdir(), 'sb-ca-')), 'ca.crt');
    writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n');
  }
  return caFile;
}

type EnvVar = { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } };

function plainEnv(c: Container): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of (c.env ?? []) as EnvVar[]) {
    const path = e.valueFrom?.fieldRef?.fieldPath;
    out[e.name] = path !== undefined ? (FIELDS[path] ?? '') : (e.value ?? '');
  }
  if (out[SIDECAR_ENV.vaultCaCert]) out[SIDECAR_ENV.vaultCaCert] = fakeCa();
  return out;
}

/** The environment of every container the injector adds to a basic opted-in pod. */
export function injectedSidecarEnvs(config: InjectorConfig): Record<string, string>[] {
  const pod = basicPod();
  const result = reviewPod(createReview(pod), { config });
  if (result.outcome !== 'inject') throw new Error(`expected inject, got ${result.outcome}`);
  const after = patched(pod, result.body.response as Record<string, unknown>);
  const ours = [...(after.spec.initContainers ?? []), ...after.spec.containers].filter((c) => (c.env ?? []).some((e) => e.name === SIDECAR_ENV.spec));
  if (ours.length === 0) throw new Error('no sidecar container in the patched pod');
  return ours.map(plainEnv);
}
