/**
 * Pure: the strict shape of an audit record. A line that parses as JSON but has a field
 * of the wrong type (a number where a string belongs, an unknown event) is a bad record:
 * named with the field, never passed on to code that assumes the types.
 */
import { AUDIT_EVENTS } from './record';

type Json = Record<string, unknown>;
/** Checks one field; returns what is wrong with it, naming the field only. */
type Rule = (v: unknown, name: string) => string | undefined;
/** Field name -> [rule, required]. Unknown fields are allowed (forward compatible). */
type Shape = Record<string, [Rule, boolean]>;

/** Lower-case hex SHA-256, as `prev` and checkpoint hashes are written. */
export const HEX64 = /^[0-9a-f]{64}$/;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const is =
  (ok: (v: unknown) => boolean): Rule =>
  (v, name) =>
    ok(v) ? undefined : `${name} has the wrong type or value`;
const str = is((v) => typeof v === 'string');
const seqNo = is((v) => Number.isSafeInteger(v) && (v as number) >= 1);
const count = is((v) => Number.isSafeInteger(v) && (v as number) >= 0);
const hex = is((v) => typeof v === 'string' && HEX64.test(v));
const oneOf = (values: readonly string[]): Rule => is((v) => typeof v === 'string' && values.includes(v));
const strings = is((v) => Array.isArray(v) && v.every((x) => typeof x === 'string'));
const object =
  (shape?: Shape): Rule =>
  (v, name) => {
    if (!isObj(v)) return `${name} must be an object`;
    return shape ? problemIn(v, shape, `${name}.`) : undefined;
  };

const POD: Shape = { namespace: [str, true], name: [str, true], uid: [str, false], serviceAccount: [str, false], node: [str, false] };
const ACTOR: Shape = { username: [str, true], uid: [str, false], groups: [strings, false] };
const VAULT: Shape = {
  path: [str, false],
  version: [count, false],
  accessor: [str, false],
  requestId: [str, false],
  leaseIdHmac: [str, false],
  role: [str, false],
  accessorHmac: [str, false],
};
const CHECKPOINT: Shape = {
  stream: [str, true],
  seq: [count, true],
  hash: [hex, true],
  ts: [str, true],
  every: [seqNo, true],
  kid: [str, true],
  protected: [str, true],
  signature: [str, true],
};
const RECORD: Shape = {
  ts: [str, true],
  seq: [seqNo, true],
  prev: [hex, true],
  source: [oneOf(['sidecar', 'injector']), true],
  event: [oneOf(AUDIT_EVENTS), true],
  outcome: [oneOf(['success', 'failure']), true],
  pod: [object(POD), false],
  actor: [object(ACTOR), false],
  secret: [str, false],
  file: [str, false],
  vault: [object(VAULT), false],
  error: [str, false],
  detail: [object(), false],
  checkpoint: [object(CHECKPOINT), false],
};

/** Shapes as arrays, built once: this runs on every line. */
const fieldsOf = new Map<Shape, [string, Rule, boolean][]>();

function problemIn(o: Json, shape: Shape, prefix: string): string | undefined {
  let fields = fieldsOf.get(shape);
  if (!fields) fieldsOf.set(shape, (fields = Object.entries(shape).map(([k, [rule, required]]) => [k, rule, required])));
  for (const [k, rule, required] of fields) {
    const v = o[k];
    if (v === undefined) {
      if (required) return `${prefix}${k} is missing`;
    } else if (rule !== str || typeof v !== 'string') {
      const p = rule(v, prefix === '' ? k : `${prefix}${k}`);
      if (p) return p;
    }
  }
  return undefined;
}

/** Undefined when `v` is a well-formed record; otherwise what is wrong (names a field, never a value). */
export function recordProblem(v: unknown): string | undefined {
  if (!isObj(v)) return 'not a JSON object';
  const p = problemIn(v, RECORD, '');
  if (p) return p;
  return v.event === 'audit.checkpoint' && v.checkpoint === undefined ? 'checkpoint is missing' : undefined;
}
