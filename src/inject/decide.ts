/**
 * The injector's decisions for one admission request (pure): should this pod get the
 * sidecar, and does it carry literal secrets. review.ts wraps the result into an
 * AdmissionReview response.
 */
import { ANNOTATIONS, parseSpec, type PodDefaults } from '../annotations';
import { ALWAYS_EXCLUDED_NAMESPACES, type InjectorConfig } from '../config/injector';
import type { PodSecretsSpec } from '../spec';
import { describeFindings, findLiterals, LITERAL_HINT, type LiteralDetector } from './literal';
import { alreadyInjected, planInjection } from './plan';
import { toPatch } from './patch';
import type { AdmissionRequest, PatchOp, Pod } from './types';

/** Why a pod was left alone; also the `reason` label of the skip metric. */
export type SkipReason =
  | 'not-a-pod-create'
  | 'no-opt-in'
  | 'no-namespace'
  | 'system-namespace'
  | 'own-namespace'
  | 'excluded-namespace'
  | 'already-injected';

export type InjectionDecision =
  | { kind: 'skip'; reason: SkipReason }
  | { kind: 'deny'; reason: 'invalid-annotations'; problems: string[] }
  | { kind: 'inject'; spec: PodSecretsSpec; patch: PatchOp[]; containers: string[] };

export interface LiteralDecision {
  warnings: string[];
  /** Set when the policy is `deny` and something was found. */
  denial?: string;
  count: number;
}

/** A CREATE of a core/v1 Pod itself (not a subresource): the only request that gets injected. */
export function isPodCreate(req: AdmissionRequest): boolean {
  return isPod(req) && req.operation === 'CREATE' && !req.subResource;
}

export function isPod(req: AdmissionRequest): boolean {
  return req.kind?.kind === 'Pod' && (req.kind.group ?? '') === '';
}

/** `request.namespace` decides, never the object's own metadata.namespace. */
export function namespaceSkip(namespace: string, cfg: InjectorConfig): SkipReason | undefined {
  if (namespace === '') return 'no-namespace';
  if ((ALWAYS_EXCLUDED_NAMESPACES as readonly string[]).includes(namespace)) return 'system-namespace';
  if (namespace === cfg.ownNamespace) return 'own-namespace';
  if (cfg.excludedNamespaces.includes(namespace)) return 'excluded-namespace';
  return undefined;
}

export function decideInjection(req: AdmissionRequest, pod: Pod | undefined, cfg: InjectorConfig): InjectionDecision {
  if (!pod || !isPodCreate(req)) return { kind: 'skip', reason: 'not-a-pod-create' };
  const skip = skipReason(req, pod, cfg);
  if (skip) return { kind: 'skip', reason: skip };
  const parsed = parseSpec(pod.metadata?.annotations ?? {}, podDefaults(pod));
  if (!parsed.ok) return { kind: 'deny', reason: 'invalid-annotations', problems: parsed.errors };
  const planned = planInjection(pod, parsed.spec, parsed.containers, cfg.sidecar);
  if (!planned.ok) return { kind: 'deny', reason: 'invalid-annotations', problems: planned.errors };
  return { kind: 'inject', spec: parsed.spec, patch: toPatch(pod, planned.plan, cfg.sidecar), containers: planned.plan.targets.map((t) => t.name) };
}

function skipReason(req: AdmissionRequest, pod: Pod, cfg: InjectorConfig): SkipReason | undefined {
  const inject = pod.metadata?.annotations?.[ANNOTATIONS.inject];
  // An invalid opt-in value ("yes", "True") is reported by parseSpec, not silently ignored.
  if (inject === undefined || inject === 'false') return 'no-opt-in';
  return namespaceSkip(req.namespace ?? '', cfg) ?? (alreadyInjected(pod) ? 'already-injected' : undefined);
}

function podDefaults(pod: Pod): PodDefaults {
  return {
    serviceAccountName: pod.spec.serviceAccountName ?? pod.spec.serviceAccount ?? 'default',
    containerNames: pod.spec.containers.map((c) => c.name),
    initContainerNames: (pod.spec.initContainers ?? []).map((c) => c.name),
  };
}

/**
 * The literal-secret policy, for every pod request whatever its opt-in: a CREATE is
 * judged on all its containers, an UPDATE (pods/ephemeralcontainers) on the ephemeral
 * containers it adds.
 */
export function decideLiterals(req: AdmissionRequest, pod: Pod | undefined, cfg: InjectorConfig, detect: LiteralDetector | undefined): LiteralDecision {
  if (cfg.literalSecrets === 'off' || !detect || !pod || !isPod(req)) return { warnings: [], count: 0 };
  const only = req.operation === 'CREATE' ? undefined : newEphemeralNames(pod, req.oldObject);
  if (only && only.size === 0) return { warnings: [], count: 0 };
  const findings = findLiterals(pod, detect, only);
  const lines = describeFindings(findings);
  if (findings.length === 0) return { warnings: [], count: 0 };
  if (cfg.literalSecrets === 'deny') return { warnings: [], denial: `${lines.join('; ')}; ${LITERAL_HINT}`, count: findings.length };
  return { warnings: lines, count: findings.length };
}

function newEphemeralNames(pod: Pod, oldObject: unknown): Set<string> {
  const old = new Set(ephemeralNames(oldObject));
  return new Set((pod.spec.ephemeralContainers ?? []).map((c) => c.name).filter((n) => !old.has(n)));
}

function ephemeralNames(obj: unknown): string[] {
  const list = (obj as { spec?: { ephemeralContainers?: unknown } } | undefined)?.spec?.ephemeralContainers;
  return Array.isArray(list) ? list.map((c) => String((c as { name?: unknown }).name)) : [];
}
