/**
 * The costliest request bodies the injector admits past its body guards (3 MiB, depth 100,
 * MAX_JSON_ITEMS values and keys): each just inside every limit, in the shapes that cost V8
 * the most heap per byte (empty containers, distinct keys, short strings), and valid pods
 * that carry as much as the guards let through (env vars, containers, annotations), so
 * every stage of a review sees them: those past a pod's size limits (src/inject/limits.ts)
 * are denied, and the costliest each limit still admits are injected. Used to prove the
 * chosen heap settings survive them.
 */
import { MAX_TEMPLATE_BYTES } from '../../src/annotations';
import { MAX_JSON_ITEMS } from '../../src/inject/json';
import { MAX_ANNOTATION_BYTES, MAX_SECRETS_PER_POD } from '../../src/inject/limits';
import { reviewPod } from '../../src/inject/review';
import { BODY_LIMIT_BYTES } from '../../injector/mutate';
import { basicPod, createReview, testConfig } from './injector';

/** What the injector answers: a decision allowing the pod (patched), one denying it, or a 400 (not an AdmissionReview). */
export type WorstAnswer = 'allowed' | 'denied' | 'malformed';

/** Items (containers, commas and colons) an AdmissionReview around a pod needs besides the pod's own lists; generous. */
const ENVELOPE_ITEMS = 200;

/** `count` copies of `item` joined by commas inside `[...]`: one opener, count-1 commas, and `itemCost` each. */
function repeatList(item: (i: number) => string, itemCost: number, budget = MAX_JSON_ITEMS): string {
  const count = Math.floor((budget - 1) / (itemCost + 1));
  const parts: string[] = new Array<string>(count);
  for (let i = 0; i < count; i++) parts[i] = item(i);
  return `[${parts.join(',')}]`;
}

/** A review whose pod holds `field` in its first container (or its own spec), built as text to stay within the items budget. */
function reviewWith(pod: ReturnType<typeof basicPod>, splice: (json: string) => string): string {
  return splice(JSON.stringify(createReview(pod)));
}

/** Stands where a generated list goes, then is replaced by it. */
const MARK = '__worst__';

/** As many secrets with a template of the largest size annotations allow (64 KiB) as fit in `room` bytes. */
function templates(room: number): string {
  const each = (i: number): string => `"secrets-broker.io/secret-t${i}":"secret/data/app/t${i}","secrets-broker.io/template-t${i}":"${'{{ .x }}'.repeat(MAX_TEMPLATE_BYTES / 8)}"`;
  const count = Math.floor(room / (each(99).length + 1));
  return Array.from({ length: count }, (_, i) => each(i)).join(',');
}

/** Containers of the worst bodies: a name only (the patch adds the same mount op to each, whatever else they hold). */
const namedContainers = (n: number): Array<{ name: string }> => Array.from({ length: n }, (_, i) => ({ name: `c${i}` }));

let mostContainers = 0;

/** The most containers a pod may have for its patch to stay within MAX_PATCH_BYTES, by bisection over reviews (computed once). */
export function mostContainersWithinPatchLimit(): number {
  if (mostContainers > 0) return mostContainers;
  const config = testConfig();
  let [lo, hi] = [1, 32768];
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (reviewPod(createReview(basicPod({}, { containers: namedContainers(mid) })), { config }).outcome === 'inject') lo = mid;
    else hi = mid;
  }
  mostContainers = lo;
  return lo;
}

/** Annotation bytes (keys and values) of `a`, with the status annotation the patch adds, as Kubernetes counts them. */
export function annotationBytes(a: Record<string, string>): number {
  return Object.entries({ ...a, 'secrets-broker.io/status': 'injected' }).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
}

/** MAX_SECRETS_PER_POD secrets, with templates of `unit` as long as the annotation limit lets them all be. */
export function mostSecretsPod(unit: string): ReturnType<typeof basicPod> {
  const names = Array.from({ length: MAX_SECRETS_PER_POD - 1 }, (_, i) => `s${i}`); // basicPod asks for `db` too
  const entries = (template: (n: string) => string): Record<string, string> =>
    Object.fromEntries(names.flatMap((n) => [[`secrets-broker.io/secret-${n}`, `secret/data/app/${n}`], [`secrets-broker.io/template-${n}`, template(n)]]));
  const room = MAX_ANNOTATION_BYTES - annotationBytes(basicPod(entries(() => '')).metadata?.annotations ?? {});
  const each = unit.repeat(Math.floor(room / names.length / Buffer.byteLength(unit)));
  return basicPod(entries(() => each));
}

/** As many one-letter annotations of another prefix as the annotation limit admits. */
function annotationsUpToLimit(): Record<string, string> {
  const a: Record<string, string> = {};
  let bytes = annotationBytes(basicPod().metadata?.annotations ?? {});
  for (let i = 0; bytes + `a.example.com/k${i}`.length + 1 <= MAX_ANNOTATION_BYTES; i++) {
    a[`a.example.com/k${i}`] = 'v';
    bytes += `a.example.com/k${i}`.length + 1;
  }
  return a;
}

export function worstBodies(): Array<[string, string, WorstAnswer]> {
  const budget = MAX_JSON_ITEMS - ENVELOPE_ITEMS;
  const bodies: Array<[string, string, WorstAnswer]> = [
    ['empty arrays', repeatList(() => '[]', 1), 'malformed'],
    ['empty objects', repeatList(() => '{}', 1), 'malformed'],
    ['distinct keys', `{${repeatList((i) => `"k${i}":0`, 1).slice(1, -1)}}`, 'malformed'],
    ['short strings', repeatList((i) => `"${(i % 100).toString(36)}"`, 0), 'malformed'],
    ['two-byte strings up to the body limit', `["${'\u0100'.repeat(Math.floor((BODY_LIMIT_BYTES - 8) / 2))}"]`, 'malformed'],
    ['pod with as many env vars as allowed', reviewWith(basicPod({}, { containers: [{ name: 'app', image: 'example/app:1', env: [] }] }), (j) =>
      j.replace('"env":[]', `"env":${repeatList((i) => `{"name":"V${i}","value":"x${i}"}`, 4, budget)}`)), 'allowed'],
    ['pod with as many containers as the JSON count allows (a patch past the limit)', reviewWith(basicPod({}, { containers: [] }), (j) =>
      j.replace('"containers":[]', `"containers":${repeatList((i) => `{"name":"c${i}"}`, 2, budget)}`)), 'denied'],
    ['pod with as many containers as the patch limit allows', JSON.stringify(createReview(basicPod({}, { containers: namedContainers(mostContainersWithinPatchLimit()) }))), 'allowed'],
    ['pod with as many annotations as the JSON count allows (past the annotation limit)', reviewWith(basicPod({ [MARK]: '' }), (j) =>
      j.replace(`"${MARK}":""`, repeatList((i) => `"a.example.com/k${i}":"v"`, 1, budget).slice(1, -1))), 'denied'],
    ['pod with as many annotations as the annotation limit allows', JSON.stringify(createReview(basicPod(annotationsUpToLimit()))), 'allowed'],
    ['pod asking for as many secrets as the JSON count allows (past both annotation limits)', reviewWith(basicPod({ [MARK]: '' }), (j) =>
      j.replace(`"${MARK}":""`, repeatList((i) => `"secrets-broker.io/secret-s${i}":"secret/data/app/s${i}"`, 1, budget).slice(1, -1))), 'denied'],
    ['pod asking for as many secrets as allowed, with templates of quotes up to the annotation limit', JSON.stringify(createReview(mostSecretsPod('"'))), 'allowed'],
    ['pod with templates up to the body limit (past the annotation limit)', reviewWith(basicPod({ [MARK]: '' }), (j) =>
      j.replace(`"${MARK}":""`, templates(BODY_LIMIT_BYTES - j.length))), 'denied'],
    ['pod with one env value up to the body limit', reviewWith(basicPod({}, { containers: [{ name: 'app', image: 'example/app:1', env: [{ name: 'BIG', value: MARK }] }] }), (j) =>
      j.replace(MARK, 'x'.repeat(BODY_LIMIT_BYTES - j.length))), 'allowed'],
  ];
  return bodies;
}
