/**
 * The costliest request bodies the injector admits past its body guards (3 MiB, depth 100,
 * MAX_JSON_ITEMS values and keys): each just inside every limit, in the shapes that cost V8
 * the most heap per byte (empty containers, distinct keys, short strings), and valid pods
 * that carry as much as the guards let through (env vars, containers, annotations), so
 * every stage of a review sees them. Used to prove the chosen heap settings survive them.
 */
import { MAX_TEMPLATE_BYTES } from '../../src/annotations';
import { MAX_JSON_ITEMS } from '../../src/inject/json';
import { BODY_LIMIT_BYTES } from '../../injector/mutate';
import { basicPod, createReview } from './injector';

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
  const each = (i: number): string => `"secrets-broker.io/secret-t${i}":"secret/data/app/t${i}","secrets-broker.io/secret-t${i}-template":"${'{{ .x }}'.repeat(MAX_TEMPLATE_BYTES / 8)}"`;
  const count = Math.floor(room / (each(99).length + 1));
  return Array.from({ length: count }, (_, i) => each(i)).join(',');
}

export function worstBodies(): Array<[string, string]> {
  const budget = MAX_JSON_ITEMS - ENVELOPE_ITEMS;
  const bodies: Array<[string, string]> = [
    ['empty arrays', repeatList(() => '[]', 1)],
    ['empty objects', repeatList(() => '{}', 1)],
    ['distinct keys', `{${repeatList((i) => `"k${i}":0`, 1).slice(1, -1)}}`],
    ['short strings', repeatList((i) => `"${(i % 100).toString(36)}"`, 0)],
    ['two-byte strings up to the body limit', `["${'\u0100'.repeat(Math.floor((BODY_LIMIT_BYTES - 8) / 2))}"]`],
    ['pod with as many env vars as allowed', reviewWith(basicPod({}, { containers: [{ name: 'app', image: 'example/app:1', env: [] }] }), (j) =>
      j.replace('"env":[]', `"env":${repeatList((i) => `{"name":"V${i}","value":"x${i}"}`, 4, budget)}`))],
    ['pod with as many containers as allowed', reviewWith(basicPod({}, { containers: [] }), (j) =>
      j.replace('"containers":[]', `"containers":${repeatList((i) => `{"name":"c${i}"}`, 2, budget)}`))],
    ['pod with as many annotations as allowed', reviewWith(basicPod({ [MARK]: '' }), (j) =>
      j.replace(`"${MARK}":""`, repeatList((i) => `"a.example.com/k${i}":"v"`, 1, budget).slice(1, -1)))],
    ['pod asking for as many secrets as allowed', reviewWith(basicPod({ [MARK]: '' }), (j) =>
      j.replace(`"${MARK}":""`, repeatList((i) => `"secrets-broker.io/secret-s${i}":"secret/data/app/s${i}"`, 1, budget).slice(1, -1)))],
    ['pod with templates up to the body limit', reviewWith(basicPod({ [MARK]: '' }), (j) =>
      j.replace(`"${MARK}":""`, templates(BODY_LIMIT_BYTES - j.length)))],
    ['pod with one env value up to the body limit', reviewWith(basicPod({}, { containers: [{ name: 'app', image: 'example/app:1', env: [{ name: 'BIG', value: MARK }] }] }), (j) =>
      j.replace(MARK, 'x'.repeat(BODY_LIMIT_BYTES - j.length)))],
  ];
  return bodies;
}
