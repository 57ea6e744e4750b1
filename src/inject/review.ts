/**
 * AdmissionReview in, AdmissionReview out (pure). `parseReview` rejects malformed
 * requests with a ReviewError (HTTP 400); `reviewPod` always returns a decision
 * (HTTP 200), the audit entry to record, if any, and labels for metrics.
 */
import { detectLiteral } from '../scan/detect';
import type { AuditEntry, PodIdentity } from '../audit/record';
import type { InjectorConfig } from '../config/injector';
import { ReviewError } from '../errors';
import { decideInjection, decideLiterals, type InjectionDecision, type LiteralDecision, type SkipReason } from './decide';
import type { LiteralDetector } from './literal';
import type { AdmissionRequest, AdmissionReview, Pod } from './types';

/** The AdmissionReview versions the injector answers, each in its own version. */
export const REVIEW_API_VERSIONS = ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'] as const;

/** Defined in src/errors.ts with the other typed errors; exported here too for this module's importers. */
export { ReviewError };

export interface ReviewDeps {
  config: InjectorConfig;
  /** The literal-secret detector; the scanner's rules (src/scan/detect.ts) unless a test passes another. */
  detect?: LiteralDetector;
}

export type Outcome = 'inject' | 'deny' | 'skip';

export interface ReviewResult {
  body: Record<string, unknown>;
  outcome: Outcome;
  /** Skip reason or denial reason, for logs and metrics. */
  reason: string;
  namespace: string;
  /** What to record; undefined for dry runs and for pods that never asked for injection. */
  audit?: AuditEntry;
  literalFindings: number;
}

/** Checks the envelope; the pod inside is checked by reviewPod. Never echoes the body. */
export function parseReview(body: unknown): AdmissionReview {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ReviewError('body must be a JSON object');
  const r = body as Record<string, unknown>;
  if (r.kind !== 'AdmissionReview') throw new ReviewError('kind must be AdmissionReview');
  if (!(REVIEW_API_VERSIONS as readonly unknown[]).includes(r.apiVersion)) throw new ReviewError(`apiVersion must be one of ${REVIEW_API_VERSIONS.join(', ')}`);
  const req = r.request as Record<string, unknown> | undefined;
  if (typeof req !== 'object' || req === null) throw new ReviewError('request is missing');
  if (typeof req.uid !== 'string' || req.uid === '' || req.uid.length > 128) throw new ReviewError('request.uid is missing');
  return body as AdmissionReview;
}

/** Narrows request.object to the Pod shape the injector relies on, or undefined. */
export function asPod(obj: unknown): Pod | undefined {
  const p = obj as Pod | undefined;
  if (!isObject(p) || !isObject(p.spec)) return undefined;
  const lists = [p.spec.containers, p.spec.initContainers ?? [], p.spec.ephemeralContainers ?? [], p.spec.volumes ?? []];
  if (!lists.every(isNamedList)) return undefined;
  return p.metadata === undefined || (isObject(p.metadata) && stringMap(p.metadata.annotations)) ? p : undefined;
}

function stringMap(m: unknown): boolean {
  return m === undefined || (isObject(m) && Object.values(m).every((v) => typeof v === 'string'));
}

function isObject(v: unknown): v is object {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isNamedList(list: unknown): boolean {
  return Array.isArray(list) && list.every((c) => typeof c === 'object' && c !== null && typeof (c as { name?: unknown }).name === 'string');
}

/** Decides one request. Pure: no I/O, so it is the unit the tests and the benchmark call. */
export function reviewPod(review: AdmissionReview, deps: ReviewDeps): ReviewResult {
  const req = review.request;
  const pod = asPod(req.object);
  const namespace = req.namespace ?? '';
  const decision = decideInjection(req, pod, deps.config);
  const literal = decideLiterals(req, pod, deps.config, deps.detect ?? detectLiteral, decision.kind === 'skip' ? decision.ours : undefined);
  const base = { namespace, literalFindings: literal.count };
  const all = [...literal.warnings, ...(decision.kind === 'inject' ? decision.warnings : [])];
  const warnings = all.length > 0 ? { warnings: all } : {};
  if (literal.denial !== undefined || decision.kind === 'deny') return { ...base, ...denial(review, pod, decision, literal, warnings) };
  if (decision.kind === 'skip') {
    return { ...base, outcome: 'skip', reason: decision.reason, body: respond(review, { allowed: true, ...warnings }), audit: skipAudit(req, pod, decision.reason) };
  }
  return { ...base, outcome: 'inject', reason: 'injected', body: respond(review, injectResponse(decision, warnings)), audit: injectAudit(req, pod, decision) };
}

/** One message naming every problem: literal secrets first, then the pod's own. */
function denial(review: AdmissionReview, pod: Pod | undefined, decision: InjectionDecision, literal: LiteralDecision, warnings: object): Omit<ReviewResult, 'namespace' | 'literalFindings'> {
  const problems = decision.kind === 'deny' ? decision.problems : [];
  const found = literal.denial !== undefined;
  const reason = found || decision.kind !== 'deny' ? 'literal-secret' : decision.reason;
  const message = [...(found ? [literal.denial] : []), ...problems].join('; ');
  const audit = auditEntry(review.request, pod, 'admission.deny', { reason, ...(found && { findings: literal.count }), ...(problems.length > 0 && { problems }) });
  return { outcome: 'deny', reason, body: respond(review, { allowed: false, status: denied(message), ...warnings }), audit };
}

function injectResponse(d: Extract<InjectionDecision, { kind: 'inject' }>, warnings: object): Record<string, unknown> {
  return { allowed: true, patchType: 'JSONPatch', patch: d.patchBytes.toString('base64'), ...warnings };
}

function denied(message: string): Record<string, unknown> {
  return { code: 403, reason: 'Forbidden', message: `secrets-broker: ${message}` };
}

function respond(review: AdmissionReview, response: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: review.apiVersion, kind: 'AdmissionReview', response: { uid: review.request.uid, ...response } };
}

// Reinvocations and pods in skipped namespaces are worth a record only when they asked for injection.
const AUDITED_SKIPS: readonly SkipReason[] = ['system-namespace', 'own-namespace', 'excluded-namespace', 'no-namespace', 'already-injected'];

function skipAudit(req: AdmissionRequest, pod: Pod | undefined, reason: SkipReason): AuditEntry | undefined {
  return AUDITED_SKIPS.includes(reason) ? auditEntry(req, pod, 'admission.skip', { reason }) : undefined;
}

function injectAudit(req: AdmissionRequest, pod: Pod | undefined, d: Extract<InjectionDecision, { kind: 'inject' }>): AuditEntry | undefined {
  const detail = { paths: d.spec.secrets.map((s) => s.path), role: d.spec.role, lifecycle: d.spec.lifecycle, containers: d.containers };
  return auditEntry(req, pod, 'admission.inject', detail);
}

/** Dry runs must have no side effects: they get the same answer and no audit record. */
function auditEntry(req: AdmissionRequest, pod: Pod | undefined, event: AuditEntry['event'], detail: Record<string, unknown>): AuditEntry | undefined {
  if (req.dryRun === true) return undefined;
  return {
    event,
    outcome: event === 'admission.deny' ? 'failure' : 'success',
    pod: identity(req, pod),
    actor: { username: String(req.userInfo?.username ?? ''), ...(req.userInfo?.uid && { uid: req.userInfo.uid }), ...(req.userInfo?.groups && { groups: req.userInfo.groups }) },
    detail: { operation: req.operation, requestUid: req.uid, ...detail },
  };
}

function identity(req: AdmissionRequest, pod: Pod | undefined): PodIdentity {
  const m = pod?.metadata ?? {};
  const serviceAccount = pod ? (pod.spec.serviceAccountName ?? pod.spec.serviceAccount ?? 'default') : '';
  return { namespace: req.namespace ?? '', name: podName(req, m), ...(m.uid && { uid: m.uid }), ...(serviceAccount && { serviceAccount }) };
}

/** At admission a pod of a Deployment has only a generateName; record it as `prefix-*`. */
function podName(req: AdmissionRequest, m: NonNullable<Pod['metadata']>): string {
  if (m.name) return m.name;
  if (req.name) return req.name;
  return m.generateName ? `${m.generateName}*` : '';
}
