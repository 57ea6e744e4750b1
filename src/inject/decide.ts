/**
 * The injector's decisions for one admission request (pure): should this pod get the
 * sidecar, and does it carry literal secrets. review.ts wraps the result into an
 * AdmissionReview response.
 */
import { ANNOTATIONS, parseSpec, type PodDefaults } from '../annotations';
import { ALWAYS_EXCLUDED_NAMESPACES, type InjectorConfig } from '../config/injector';
import type { PodSecretsSpec } from '../spec';
import { recognise } from './identity';
import { describeFindings, describeUnexamined, findLiterals, LITERAL_HINT, LONG_VALUE_HINT, type LiteralDetector, type LiteralScan } from './literal';
import { annotationLimitProblems, patchLimitProblem } from './limits';
import { planInjection, type InjectionPlan } from './plan';
import { toPatch } from './patch';
import { appMount } from './volumes';
import { describeClaims, reservedMountProblem, strip, tokenPathProblems } from './reserved';
import type { AdmissionRequest, Container, PatchOp, Pod } from './types';

/** Why a pod was left alone; also the `reason` label of the skip metric. */
export type SkipReason =
  | 'not-a-pod-create'
  | 'no-opt-in'
  | 'no-namespace'
  | 'system-namespace'
  | 'own-namespace'
  | 'excluded-namespace'
  | 'already-injected';

/** Why a pod was denied; also the `reason` label of the denial metric. */
export type DenyReason = 'invalid-annotations' | 'impostor' | 'literal-secret' | 'too-large';

export type InjectionDecision =
  | { kind: 'skip'; reason: SkipReason; ours?: ReadonlySet<Container> }
  | { kind: 'deny'; reason: DenyReason; problems: string[] }
  | { kind: 'inject'; spec: PodSecretsSpec; patch: PatchOp[]; patchBytes: Buffer; containers: string[]; warnings: string[] };

export interface LiteralDecision {
  warnings: string[];
  /** Set when the policy is `deny` and something was found or left unexamined. */
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
  if (!pod || !isPod(req)) return { kind: 'skip', reason: 'not-a-pod-create' };
  if (!isPodCreate(req)) return decideUpdate(req, pod);
  const skip = skipReason(req, pod, cfg);
  if (skip) return { kind: 'skip', reason: skip };
  // Before any parsing: a pod past these is refused by the apiserver anyway, and costs the most to parse.
  const oversize = annotationLimitProblems(pod.metadata?.annotations ?? {});
  return oversize.length > 0 ? deny('too-large', oversize) : decideCreate(pod, cfg);
}

/** An opted-in pod CREATE within the size limits: inject, skip as ours, or deny naming every problem. */
function decideCreate(pod: Pod, cfg: InjectorConfig): InjectionDecision {
  // Annotations are validated whatever the pod carries; what claims to be ours is judged against the plan.
  const stripped = strip(pod);
  const tokenProblems = tokenPathProblems(stripped.base);
  const parsed = parseSpec(pod.metadata?.annotations ?? {}, podDefaults(stripped.base), { defaults: cfg.sidecar.resources, max: cfg.sidecar.maxResources });
  if (!parsed.ok) return deny('invalid-annotations', [...parsed.errors, ...describeClaims(stripped), ...tokenProblems]);
  const planned = planInjection(stripped.base, parsed.spec, parsed.containers, cfg.sidecar, parsed.resources);
  if (!planned.ok) return deny('invalid-annotations', [...planned.errors, ...describeClaims(stripped), ...tokenProblems]);
  const identity = recognise(pod, stripped, planned.plan, cfg.sidecar);
  const problems = [...(identity.kind === 'impostor' ? identity.problems : []), ...tokenProblems];
  if (problems.length > 0) return deny('impostor', problems);
  if (identity.kind === 'ours') return { kind: 'skip', reason: 'already-injected', ours: identity.containers };
  return inject(pod, planned.plan, cfg);
}

/** The patch, encoded once here (review.ts sends these bytes in base64), or a denial when it is past what the apiserver can store. */
function inject(pod: Pod, plan: InjectionPlan, cfg: InjectorConfig): InjectionDecision {
  // Each mount target's op holds its mount verbatim: past the limit on those alone, build nothing.
  const floor = patchLimitProblem(plan.targets.length * Buffer.byteLength(JSON.stringify(appMount(plan))), 'at least');
  if (floor !== undefined) return deny('too-large', [floor]);
  const patch = toPatch(pod, plan, cfg.sidecar);
  const patchBytes = Buffer.from(JSON.stringify(patch));
  const tooLarge = patchLimitProblem(patchBytes.length);
  if (tooLarge !== undefined) return deny('too-large', [tooLarge]);
  return { kind: 'inject', spec: plan.spec, patch, patchBytes, containers: plan.targets.map((t) => t.name), warnings: plan.warnings };
}

function deny(reason: DenyReason, problems: string[]): InjectionDecision {
  return { kind: 'deny', reason, problems };
}

/** An UPDATE adding ephemeral containers (`kubectl debug`): none may mount our volumes or the token directory. */
function decideUpdate(req: AdmissionRequest, pod: Pod): InjectionDecision {
  const added = newEphemeralNames(pod, req.oldObject);
  const mounts = strip(pod).mounts.filter((m) => m.list === 'ephemeralContainers' && added.has(m.name));
  const problems = [
    ...mounts.flatMap((m) => m.item.map((mount) => reservedMountProblem(m.list, m.name, mount.name))),
    ...tokenPathProblems(pod, ['ephemeralContainers'], added),
  ];
  return problems.length > 0 ? deny('impostor', problems) : { kind: 'skip', reason: 'not-a-pod-create' };
}

function skipReason(req: AdmissionRequest, pod: Pod, cfg: InjectorConfig): SkipReason | undefined {
  const inject = pod.metadata?.annotations?.[ANNOTATIONS.inject];
  // An invalid opt-in value ("yes", "True") is reported by parseSpec, not silently ignored.
  if (inject === undefined || inject === 'false') return 'no-opt-in';
  return namespaceSkip(req.namespace ?? '', cfg);
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
 * judged on all its containers except those proven to be exactly ours (`ours`), an
 * UPDATE (pods/ephemeralcontainers) on the ephemeral containers it adds. Under `deny`,
 * a value the budget left unexamined is not proven clean: the pod is denied, naming it.
 */
export function decideLiterals(req: AdmissionRequest, pod: Pod | undefined, cfg: InjectorConfig, detect: LiteralDetector | undefined, ours?: ReadonlySet<Container>): LiteralDecision {
  if (cfg.literalSecrets === 'off' || !detect || !pod || !isPod(req)) return { warnings: [], count: 0 };
  const only = req.operation === 'CREATE' ? undefined : newEphemeralNames(pod, req.oldObject);
  if (only && only.size === 0) return { warnings: [], count: 0 };
  const scan = findLiterals(pod, detect, { only, ours });
  const lines = [...describeFindings(scan.findings), ...describeUnexamined(scan)];
  if (lines.length === 0) return { warnings: [], count: 0 };
  if (cfg.literalSecrets === 'deny') return { warnings: [], denial: [...lines, ...hints(scan)].join('; '), count: scan.findings.length };
  return { warnings: lines, count: scan.findings.length };
}

function hints(scan: LiteralScan): string[] {
  return [LITERAL_HINT, ...(scan.truncated.length + scan.skipped.length > 0 ? [LONG_VALUE_HINT] : [])];
}

function newEphemeralNames(pod: Pod, oldObject: unknown): Set<string> {
  const old = new Set(ephemeralNames(oldObject));
  return new Set((pod.spec.ephemeralContainers ?? []).map((c) => c.name).filter((n) => !old.has(n)));
}

function ephemeralNames(obj: unknown): string[] {
  const list = (obj as { spec?: { ephemeralContainers?: unknown } } | undefined)?.spec?.ephemeralContainers;
  return Array.isArray(list) ? list.map((c) => String((c as { name?: unknown }).name)) : [];
}
