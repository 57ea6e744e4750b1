/**
 * The literal-secret policy (pure): finds env values, commands and args that look like
 * secrets written straight into a pod spec. Detection rules belong to the scanner
 * (src/scan/detect.ts); this module only walks the pod and phrases findings, naming
 * the container and variable, never the value.
 */
import { SPEC_ENV } from '../spec';
import type { Container, Pod } from './types';

/** The scanner's detector: a rule match for one value, or undefined. */
export type LiteralDetector = (value: string, name?: string) => { ruleId: string; title: string; severity: string } | undefined;

export type ContainerList = 'containers' | 'initContainers' | 'ephemeralContainers';

export interface LiteralFinding {
  list: ContainerList;
  container: string;
  /** `env "NAME"`, `command[0]` or `args[2]`. */
  where: string;
  ruleId: string;
  title: string;
}

/** Appended once to a denial: what to do instead. */
export const LITERAL_HINT = 'deliver secrets with secrets-broker.io/secret-<name> annotations or Secret references instead of literal values';

/** At most this many findings are spelled out in one warning list or denial. */
export const MAX_REPORTED_FINDINGS = 20;

const LISTS: readonly ContainerList[] = ['initContainers', 'containers', 'ephemeralContainers'];

/**
 * Walks the pod. `only`, when given, limits the walk to these ephemeral container names
 * (an UPDATE of pods/ephemeralcontainers is judged by what it adds). Containers that
 * carry our own spec are skipped: their values come from the injector.
 */
export function findLiterals(pod: Pod, detect: LiteralDetector, only?: ReadonlySet<string>): LiteralFinding[] {
  const findings: LiteralFinding[] = [];
  for (const list of LISTS) {
    if (only && list !== 'ephemeralContainers') continue;
    const containers = (pod.spec[list] ?? []);
    for (const c of containers.filter((x) => !only || only.has(x.name))) findings.push(...inContainer(list, c, detect));
  }
  return findings;
}

function inContainer(list: ContainerList, c: Container, detect: LiteralDetector): LiteralFinding[] {
  if ((c.env ?? []).some((e) => e.name === SPEC_ENV)) return [];
  const out: LiteralFinding[] = [];
  const add = (where: string, hit: ReturnType<LiteralDetector>): void => {
    if (hit) out.push({ list, container: String(c.name), where, ruleId: hit.ruleId, title: hit.title });
  };
  for (const e of c.env ?? []) {
    if (typeof e.value === 'string' && e.value !== '') add(`env "${printable(String(e.name))}"`, detect(e.value, String(e.name)));
  }
  (['command', 'args'] as const).forEach((field) => {
    const values = Array.isArray(c[field]) ? c[field] : [];
    values.forEach((v, i) => {
      if (typeof v === 'string' && v !== '') add(`${field}[${i}]`, detect(v));
    });
  });
  return out;
}

/** One line per finding, for AdmissionReview warnings and denial messages. */
export function describeFindings(findings: readonly LiteralFinding[]): string[] {
  const lines = findings
    .slice(0, MAX_REPORTED_FINDINGS)
    .map((f) => `${kindOf(f.list)} "${printable(f.container)}" ${f.where}: literal secret (${printable(f.title)}, rule ${printable(f.ruleId)})`);
  if (findings.length > MAX_REPORTED_FINDINGS) lines.push(`... and ${findings.length - MAX_REPORTED_FINDINGS} more literal secrets`);
  return lines;
}

function kindOf(list: ContainerList): string {
  return list === 'containers' ? 'container' : list === 'initContainers' ? 'init container' : 'ephemeral container';
}

/** Names come from the request before the apiserver validated them: keep them short and printable. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f"\\]/g, '?');
  return clean.length > 63 ? `${clean.slice(0, 60)}...` : clean;
}
