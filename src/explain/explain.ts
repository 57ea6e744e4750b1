/**
 * What the webhook would answer for one pod template (pure): the template goes through
 * reviewPod, the code the webhook runs, as a dry-run CREATE in its namespace; the answer
 * is read back into what is added, why the pod is left alone, or why it is denied.
 */
import type { InjectorConfig } from '../config/injector';
import type { LiteralDetector } from '../inject/literal';
import { reviewPod } from '../inject/review';
import type { Container, PatchOp, Pod, VolumeMount } from '../inject/types';
import { SIDECAR_ENV } from '../sidecar-env';
import { decodeSpec, type PodSecretsSpec } from '../spec';
import { applyAdds } from './apply';
import type { PodTemplate } from './templates';

/** Who explain says is asking, in the review it builds. */
export const EXPLAIN_USER = 'secrets-broker-explain';

export interface Additions {
  /** `<list>/<name>` of each container added. */
  containers: string[];
  volumes: string[];
  /** `<container>: <mountPath>` of each mount added to an app container. */
  mounts: string[];
  supplementalGroups: number[];
  /** The group the rendered files belong to (the sidecar's runAsGroup). */
  fileGroup: number | undefined;
  /** What the sidecar is told to render, as it will decode it. */
  spec: PodSecretsSpec;
}

export type Explanation =
  | { template: PodTemplate; outcome: 'inject'; warnings: string[]; patch: PatchOp[]; mutated: Pod; added: Additions }
  | { template: PodTemplate; outcome: 'skip'; reason: string; warnings: string[] }
  | { template: PodTemplate; outcome: 'deny'; reason: string; message: string; warnings: string[] };

interface Response {
  allowed: boolean;
  patch?: string;
  warnings?: string[];
  status?: { message?: string };
}

/** Runs one template through the webhook's decision. */
export function explainTemplate(t: PodTemplate, config: InjectorConfig, detect?: LiteralDetector): Explanation {
  const review = {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview' as const,
    request: {
      uid: 'explain',
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      operation: 'CREATE',
      namespace: t.namespace,
      userInfo: { username: EXPLAIN_USER },
      object: t.pod,
      dryRun: true,
    },
  };
  const result = reviewPod(review, { config, ...(detect && { detect }) });
  const response = result.body.response as Response;
  const warnings = response.warnings ?? [];
  if (result.outcome === 'skip') return { template: t, outcome: 'skip', reason: result.reason, warnings };
  if (result.outcome === 'deny') return { template: t, outcome: 'deny', reason: result.reason, message: response.status?.message ?? '', warnings };
  const patch = JSON.parse(Buffer.from(response.patch ?? '', 'base64').toString('utf8')) as PatchOp[];
  const mutated = applyAdds(t.pod, patch);
  return { template: t, outcome: 'inject', warnings, patch, mutated, added: additions(t.pod, mutated) };
}

/** Reads the additions off the mutated pod: what is there now and was not before. */
export function additions(before: Pod, after: Pod): Additions {
  const lists = ['initContainers', 'containers'] as const;
  const had = new Set(lists.flatMap((l) => (before.spec[l] ?? []).map((c) => c.name)));
  const added = lists.flatMap((l) => (after.spec[l] ?? []).filter((c) => !had.has(c.name)).map((c) => ({ list: l, c })));
  const volumesBefore = new Set((before.spec.volumes ?? []).map((v) => v.name));
  const groupsBefore = new Set(before.spec.securityContext?.supplementalGroups ?? []);
  const sidecar = added[0]?.c;
  return {
    containers: added.map(({ list, c }) => `${list}/${c.name}`),
    volumes: (after.spec.volumes ?? []).map((v) => v.name).filter((n) => !volumesBefore.has(n)),
    mounts: lists.flatMap((l) => (after.spec[l] ?? []).filter((c) => had.has(c.name)).flatMap((c) => newMounts(c, before, l))),
    supplementalGroups: (after.spec.securityContext?.supplementalGroups ?? []).filter((g) => !groupsBefore.has(g)),
    fileGroup: sidecar?.securityContext?.runAsGroup,
    spec: decodeSpec(envValue(sidecar, SIDECAR_ENV.spec)),
  };
}

function newMounts(c: Container, before: Pod, list: 'initContainers' | 'containers'): string[] {
  const old = (before.spec[list] ?? []).find((b) => b.name === c.name)?.volumeMounts ?? [];
  const key = (m: VolumeMount): string => `${m.name}\u0000${m.mountPath}`;
  const oldKeys = new Set(old.map(key));
  return (c.volumeMounts ?? []).filter((m) => !oldKeys.has(key(m))).map((m) => `${c.name}: ${m.mountPath}${m.readOnly ? ' (read-only)' : ''}`);
}

function envValue(c: Container | undefined, name: string): string {
  const v = c?.env?.find((e) => e.name === name)?.value;
  if (v === undefined) throw new Error(`the added container has no ${name}`);
  return v;
}
