/** explain's three outputs (pure): the summary a person reads, the JSON patches, the mutated pods. */
import { stringify } from 'yaml';
import { posix } from 'node:path';
import { printable } from '../printable';
import type { Explanation } from './explain';

export const OUTPUTS = ['summary', 'patch', 'pod'] as const;
export type Output = (typeof OUTPUTS)[number];

/** What each skip reason means, in the words an operator needs. */
export const SKIP_WORDS: Readonly<Record<string, string>> = {
  'no-opt-in': 'not opted in (secrets-broker.io/inject is absent or "false")',
  'no-namespace': 'no namespace',
  'system-namespace': 'the namespace is a system namespace, never injected',
  'own-namespace': "the namespace is the injector's own (INJECTOR_NAMESPACE)",
  'excluded-namespace': 'the namespace is excluded (INJECTOR_EXCLUDE_NAMESPACES)',
  'already-injected': 'already injected: the pod carries exactly the sidecar this injector adds',
  'not-a-pod-create': 'not a pod',
};

const octal = (mode: number): string => `0${mode.toString(8)}`;

function head(e: Explanation): string {
  return `${printable(e.template.label)} (namespace ${e.template.namespace})`;
}

/** The summary: one block per template, then one line of totals. */
export function formatSummary(list: readonly Explanation[], ignored: number): string {
  const lines = list.flatMap(describe);
  const count = (o: Explanation['outcome']): number => list.filter((e) => e.outcome === o).length;
  const others = ignored > 0 ? `; ${ignored} other object(s) hold no pod template` : '';
  lines.push(`${list.length} pod template(s): ${count('inject')} injected, ${count('skip')} skipped, ${count('deny')} denied${others}`);
  return `${lines.join('\n')}\n`;
}

function describe(e: Explanation): string[] {
  const warnings = e.warnings.map((w) => `  warning: ${printable(w)}`);
  if (e.outcome === 'skip') return [`${head(e)}: skipped: ${SKIP_WORDS[e.reason] ?? e.reason}`, ...warnings];
  if (e.outcome === 'deny') return [`${head(e)}: denied`, ...denialLines(e.message), ...warnings];
  const a = e.added;
  const s = a.spec;
  const every = s.lifecycle === 'sidecar' ? `, refreshed every ${s.rotateIntervalSeconds}s` : ', rendered once';
  return [
    `${head(e)}: injected`,
    `  role: ${printable(s.role)}; lifecycle: ${s.lifecycle}${every}`,
    `  containers added: ${a.containers.join(', ')}`,
    `  volumes added: ${a.volumes.join(', ')}`,
    ...a.mounts.map((m) => `  mount added: ${printable(m)}`),
    ...(a.supplementalGroups.length > 0 ? [`  supplemental group added: ${a.supplementalGroups.join(', ')}`] : []),
    `  files (group ${a.fileGroup ?? 'unset'}):`,
    ...s.secrets.map((x) => `    ${printable(posix.join(s.mountPath, x.file))}  mode ${octal(x.mode)}  ${x.key ? `field ${printable(x.key)}, raw` : x.format}${x.template ? ', templated' : ''}  from ${printable(x.path)}`),
    ...warnings,
  ];
}

/** The webhook's message exactly as kubectl would show it: every problem, literal secrets first. */
function denialLines(message: string): string[] {
  return [`  the webhook says: ${printable(message)}`];
}

/** `--output patch`: one entry per template, the patch empty for those admitted unchanged. */
export function formatPatches(list: readonly Explanation[]): string {
  const entries = list.filter((e) => e.outcome !== 'deny').map((e) => ({ object: e.template.label, outcome: e.outcome, patch: e.outcome === 'inject' ? e.patch : [] }));
  return `${JSON.stringify(entries, null, 2)}\n`;
}

/** `--output pod`: the pods as they would be created, one YAML document each. */
export function formatPods(list: readonly Explanation[]): string {
  return list
    .filter((e) => e.outcome !== 'deny')
    .map((e) => `---\n${stringify(e.outcome === 'inject' ? e.mutated : e.template.pod, { lineWidth: 0 })}`)
    .join('');
}

/** The lines that go to stderr under patch and pod: why a template is missing from stdout. */
export function formatDenials(list: readonly Explanation[]): string {
  return list.filter((e) => e.outcome === 'deny').flatMap(describe).map((l) => `${l}\n`).join('');
}
