/**
 * The literal-secret policy (pure): finds env values, commands and args that look like
 * secrets written straight into a pod spec. Detection rules belong to the scanner
 * (src/scan/detect.ts); this module only walks the pod within a budget and phrases
 * findings, naming the container and variable, never the value.
 */
import { nameContainer, printable } from './describe';
import { CONTAINER_LISTS, type Container, type ContainerList, type Pod } from './types';

/** The scanner's detector: a rule match for one value, or undefined. */
export type LiteralDetector = (value: string, name?: string) => { ruleId: string; title: string; severity: string } | undefined;

export type { ContainerList } from './types';

/** Where a value sits: `env "NAME"`, `command[0]` or `args[2]` of one container. */
export interface ValuePlace {
  list: ContainerList;
  container: string;
  where: string;
}

export interface LiteralFinding extends ValuePlace {
  ruleId: string;
  title: string;
}

/**
 * The budget, so that the injector answers well inside the webhook timeout whatever the
 * pod holds: the detector sees at most MAX_LITERAL_VALUE_CHARS of each value (and
 * MAX_LITERAL_NAME_CHARS of each variable name), and one request examines values until
 * MAX_LITERAL_REQUEST_CHARS are used, each value costing what is examined of it plus
 * LITERAL_VALUE_OVERHEAD_CHARS. Whatever is left unexamined is reported (unexamined in
 * LiteralScan); decide.ts treats it as not proven clean.
 */
export const MAX_LITERAL_VALUE_CHARS = 4096;
export const MAX_LITERAL_NAME_CHARS = 256;
export const MAX_LITERAL_REQUEST_CHARS = 256 * 1024;
export const LITERAL_VALUE_OVERHEAD_CHARS = 32;

/** Appended once to a denial: what to do instead. */
export const LITERAL_HINT = 'deliver secrets with secrets-broker.io/secret-<name> annotations or Secret references instead of literal values';

/** Appended to a denial when the budget left values unexamined. */
export const LONG_VALUE_HINT = 'long values belong in a ConfigMap or Secret referenced with valueFrom or envFrom';

/** At most this many findings (and this many partly examined values) are spelled out in one warning list or denial. */
export const MAX_REPORTED_FINDINGS = 20;

export interface LiteralScan {
  findings: LiteralFinding[];
  /** Values longer than the per-value cap: examined only that far. */
  truncated: ValuePlace[];
  /** Values never examined because the request budget ran out. */
  skipped: ValuePlace[];
  /** Characters charged against the request budget. */
  used: number;
}

export interface LiteralScope {
  /** Only these ephemeral containers (an UPDATE of pods/ephemeralcontainers is judged by what it adds). */
  only?: ReadonlySet<string>;
  /** Containers proven to be exactly the injector's own (identity.ts): their values come from the injector. */
  ours?: ReadonlySet<Container>;
}

interface Value extends ValuePlace {
  value: string;
  name?: string;
}

/** Walks every container of the pod that is not provably ours, within the budget. */
export function findLiterals(pod: Pod, detect: LiteralDetector, scope: LiteralScope = {}): LiteralScan {
  const scan: LiteralScan = { findings: [], truncated: [], skipped: [], used: 0 };
  for (const v of values(pod, scope)) {
    const place = { list: v.list, container: v.container, where: v.where };
    if (scan.used >= MAX_LITERAL_REQUEST_CHARS) {
      scan.skipped.push(place);
      continue;
    }
    const value = v.value.slice(0, MAX_LITERAL_VALUE_CHARS);
    const name = v.name?.slice(0, MAX_LITERAL_NAME_CHARS);
    scan.used += value.length + (name?.length ?? 0) + LITERAL_VALUE_OVERHEAD_CHARS;
    if (v.value.length > value.length) scan.truncated.push(place);
    const hit = detect(value, name);
    if (hit) scan.findings.push({ ...place, ruleId: hit.ruleId, title: hit.title });
  }
  return scan;
}

function* values(pod: Pod, scope: LiteralScope): Generator<Value> {
  for (const list of CONTAINER_LISTS) {
    if (scope.only && list !== 'ephemeralContainers') continue;
    for (const c of pod.spec[list] ?? []) {
      if (scope.ours?.has(c) || (scope.only && !scope.only.has(c.name))) continue;
      yield* containerValues(list, c);
    }
  }
}

function* containerValues(list: ContainerList, c: Container): Generator<Value> {
  const container = String(c.name);
  for (const e of Array.isArray(c.env) ? c.env : []) {
    const name = String(e?.name);
    if (typeof e?.value === 'string' && e.value !== '') yield { list, container, where: `env "${printable(name)}"`, value: e.value, name };
  }
  for (const field of ['command', 'args'] as const) {
    const list2: unknown[] = Array.isArray(c[field]) ? c[field] : [];
    for (const [i, v] of list2.entries()) if (typeof v === 'string' && v !== '') yield { list, container, where: `${field}[${i}]`, value: v };
  }
}

function place(p: ValuePlace): string {
  return `${nameContainer(p.list, p.container)} ${p.where}`;
}

/** One line per finding, for AdmissionReview warnings and denial messages. */
export function describeFindings(findings: readonly LiteralFinding[]): string[] {
  const lines = findings
    .slice(0, MAX_REPORTED_FINDINGS)
    .map((f) => `${place(f)}: literal secret (${printable(f.title)}, rule ${printable(f.ruleId)})`);
  if (findings.length > MAX_REPORTED_FINDINGS) lines.push(`... and ${findings.length - MAX_REPORTED_FINDINGS} more literal secrets`);
  return lines;
}

/** What the budget left unexamined, one line per partly examined value and one for the values never examined. */
export function describeUnexamined(scan: LiteralScan): string[] {
  const lines = scan.truncated
    .slice(0, MAX_REPORTED_FINDINGS)
    .map((p) => `${place(p)}: longer than ${MAX_LITERAL_VALUE_CHARS} characters, not checked for literal secrets past that`);
  if (scan.truncated.length > MAX_REPORTED_FINDINGS) lines.push(`... and ${scan.truncated.length - MAX_REPORTED_FINDINGS} more values checked only in part`);
  const [first] = scan.skipped;
  if (first) {
    lines.push(`literal-secret check stopped after ${MAX_LITERAL_REQUEST_CHARS} characters: ${scan.skipped.length} more values not checked, from ${place(first)} on`);
  }
  return lines;
}
