/** Shared test helpers for the injector: settings, fixtures, applying patches, checking patched pods. */
import { applyPatch, deepClone } from 'fast-json-patch';
import { loadInjectorConfig, type InjectorConfig } from '../../src/config/injector';
import type { LiteralDetector } from '../../src/inject/literal';
import type { AdmissionReview, Container, Pod } from '../../src/inject/types';
import { admissionReview, isAdmissionFixture } from './fixtures';

export { corpusPods } from './fixtures';

export const BASE_ENV = {
  INJECTOR_TLS_CERT_FILE: '/tls/tls.crt',
  INJECTOR_TLS_KEY_FILE: '/tls/tls.key',
  VAULT_ADDR: 'https://vault.vault.svc:8200',
  SIDECAR_IMAGE: 'registry.example.com/secrets-broker:0.1.0',
};

export function testConfig(env: Record<string, string> = {}): InjectorConfig {
  return loadInjectorConfig({ ...BASE_ENV, ...env });
}

/** A fresh copy of an AdmissionReview fixture each time (tests mutate them freely); an unknown name throws. */
export function fixture(name: string): AdmissionReview {
  if (!isAdmissionFixture(name)) throw new Error(`no AdmissionReview fixture named ${name}`);
  return admissionReview(name);
}

/** Wraps a pod into a CREATE AdmissionReview for `namespace`. */
export function createReview(pod: Pod, namespace = 'shop', extra: Record<string, unknown> = {}): AdmissionReview {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'test-uid-0001',
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      operation: 'CREATE',
      namespace,
      userInfo: { username: 'alice@example.com', groups: ['system:authenticated'] },
      object: pod,
      dryRun: false,
      ...extra,
    },
  };
}

/** A minimal opted-in pod. */
export function basicPod(annotations: Record<string, string> = {}, spec: Partial<Pod['spec']> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'app', annotations: { 'secrets-broker.io/inject': 'true', 'secrets-broker.io/secret-db': 'secret/data/app/db', ...annotations } },
    spec: { containers: [{ name: 'app', image: 'example/app:1' }], ...spec },
  };
}

/** Decodes the response patch and applies it to a copy of the pod. */
export function patched(pod: Pod, response: Record<string, unknown>): Pod {
  const patch = JSON.parse(Buffer.from(String(response.patch), 'base64').toString('utf8'));
  return applyPatch(deepClone(pod), patch, true, false).newDocument as Pod;
}

/** A detector double for tests only: the real rules come from the scanner. */
export const fakeDetect: LiteralDetector = (value, name) => {
  if (/^AKIA[0-9A-Z]{16}$/.test(value)) return { ruleId: 'aws-access-key-id', title: 'AWS access key ID', severity: 'high' };
  if (name !== undefined && /PASSWORD|SECRET|TOKEN/i.test(name) && value.length >= 8) return { ruleId: 'generic-password', title: 'password assignment', severity: 'medium' };
  if (/--password=\S{8,}/.test(value)) return { ruleId: 'cli-password', title: 'password flag', severity: 'medium' };
  return undefined;
};

const RESTRICTED = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
  readOnlyRootFilesystem: true,
};

function isOurs(c: Container): boolean {
  return (c.env ?? []).some((e) => e.name === 'SECRETS_BROKER_SPEC');
}

/** Problems with a patched pod: structure the apiserver would reject, or user fields we changed. */
export function structureProblems(original: Pod, after: Pod): string[] {
  const problems: string[] = [];
  const all = [...after.spec.containers, ...(after.spec.initContainers ?? []), ...(after.spec.ephemeralContainers ?? [])];
  const names = all.map((c) => c.name);
  if (new Set(names).size !== names.length) problems.push(`duplicate container names: ${names.join(',')}`);
  const volumes = (after.spec.volumes ?? []).map((v) => v.name);
  if (new Set(volumes).size !== volumes.length) problems.push(`duplicate volume names: ${volumes.join(',')}`);
  for (const c of all) {
    for (const m of c.volumeMounts ?? []) if (!volumes.includes(m.name)) problems.push(`${c.name} mounts unknown volume ${m.name}`);
    const paths = (c.volumeMounts ?? []).map((m) => m.mountPath);
    if (new Set(paths).size !== paths.length) problems.push(`${c.name} has duplicate mount paths`);
  }
  const ours = all.filter(isOurs);
  if (ours.length === 0) problems.push('no sidecar');
  for (const c of ours) if (!matches(c.securityContext, RESTRICTED)) problems.push(`${c.name} security context is not restricted`);
  problems.push(...untouched(original, after));
  // A template pod may mount a volume its controller adds later (a StatefulSet claim): not ours to judge.
  const before = new Set(mountProblems(original));
  return problems.filter((p) => !before.has(p));
}

function mountProblems(pod: Pod): string[] {
  const volumes = (pod.spec.volumes ?? []).map((v) => v.name);
  const all = [...pod.spec.containers, ...(pod.spec.initContainers ?? [])];
  return all.flatMap((c) => (c.volumeMounts ?? []).filter((m) => !volumes.includes(m.name)).map((m) => `${c.name} mounts unknown volume ${m.name}`));
}

function matches(actual: unknown, expected: Record<string, unknown>): boolean {
  const a = (actual ?? {}) as Record<string, unknown>;
  return Object.entries(expected).every(([k, v]) => JSON.stringify(a[k]) === JSON.stringify(v));
}

/** Every user container equals the original except for mounts appended at the end. */
function untouched(original: Pod, after: Pod): string[] {
  const problems: string[] = [];
  const strip = (c: Container): string => JSON.stringify({ ...c, volumeMounts: undefined });
  for (const list of ['containers', 'initContainers'] as const) {
    const mine = (after.spec[list] ?? []).filter((c) => !isOurs(c));
    (original.spec[list] ?? []).forEach((c, i) => {
      const now = mine[i];
      if (!now || strip(now) !== strip(c)) problems.push(`${list}[${i}] ${c.name} changed`);
      const before = JSON.stringify(c.volumeMounts ?? []);
      if (now && JSON.stringify((now.volumeMounts ?? []).slice(0, (c.volumeMounts ?? []).length)) !== before) problems.push(`${c.name} mounts changed`);
    });
  }
  const ignored = new Set(['containers', 'initContainers', 'volumes', 'securityContext', 'shareProcessNamespace', 'serviceAccountName']);
  const rest = (p: Pod): string => JSON.stringify(Object.entries(p.spec).filter(([k]) => !ignored.has(k)));
  const sc = (p: Pod): string => JSON.stringify({ ...p.spec.securityContext, supplementalGroups: undefined });
  if (original.spec.securityContext && sc(original) !== sc(after)) problems.push('pod security context changed');
  if (rest(original) !== rest(after)) problems.push('other pod spec fields changed');
  // Only filled in when absent, with what the pod would have run as anyway.
  const account = original.spec.serviceAccountName ?? original.spec.serviceAccount ?? 'default';
  if (after.spec.serviceAccountName !== account) problems.push('service account changed');
  const userVolumes = JSON.stringify(original.spec.volumes ?? []);
  if (JSON.stringify((after.spec.volumes ?? []).slice(0, (original.spec.volumes ?? []).length)) !== userVolumes) problems.push('user volumes changed');
  return problems;
}
