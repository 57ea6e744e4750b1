/**
 * Manifests in, pod templates out (pure): the pods and workloads of one file (YAML or
 * JSON, several documents, `kubectl get -o yaml` Lists), each turned into the Pod its
 * controller would create, which is what the webhook sees at admission.
 */
import { parseAllDocuments } from 'yaml';
import { asPod } from '../inject/review';
import type { Pod } from '../inject/types';

/** The kinds whose pod template is `spec.template`; CronJob's is `spec.jobTemplate.spec.template`. */
export const TEMPLATE_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'ReplicationController'] as const;
/** Largest manifest file read, in bytes. */
export const MAX_MANIFEST_BYTES = 8 * 1024 * 1024;
/** Most documents (and List items) taken from one file. */
export const MAX_OBJECTS = 10_000;
/** Kubernetes' own default namespace, for objects that name none. */
export const DEFAULT_NAMESPACE = 'default';

/** One pod as its controller would submit it. */
export interface PodTemplate {
  /** `<file>: <Kind>/<name>`, as the summary names it. */
  label: string;
  kind: string;
  name: string;
  namespace: string;
  pod: Pod;
}

export interface TemplatesResult {
  templates: PodTemplate[];
  /** Unreadable documents and objects that claim a pod template without a usable one. */
  problems: string[];
  /** Objects that hold no pod template (Services, ConfigMaps ...), counted, not explained. */
  ignored: number;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads every document of one file; `source` names the file in labels and problems. */
export function podTemplates(text: string, source: string, namespace = DEFAULT_NAMESPACE): TemplatesResult {
  const out: TemplatesResult = { templates: [], problems: [], ignored: 0 };
  const objects = documents(text, source, out.problems);
  if (objects.length > MAX_OBJECTS) out.problems.push(`${source}: more than ${MAX_OBJECTS} objects; only the first ${MAX_OBJECTS} are read`);
  for (const obj of objects.slice(0, MAX_OBJECTS)) take(obj, source, namespace, out);
  return out;
}

/** Every object of the file: each document, a List's items in its place; empty documents dropped. */
function documents(text: string, source: string, problems: string[]): unknown[] {
  const objects: unknown[] = [];
  for (const [i, doc] of parseAllDocuments(text).entries()) {
    if (doc.errors.length > 0) {
      problems.push(`${source}: document ${i + 1}: not YAML or JSON (${doc.errors[0]?.code ?? 'error'})`);
      continue;
    }
    const value = toJS(doc);
    if (value instanceof Error) {
      problems.push(`${source}: document ${i + 1}: ${value.message}`);
      continue;
    }
    if (value === null || value === undefined) continue;
    const items: unknown = isObj(value) && value.kind === 'List' ? value.items : undefined;
    objects.push(...(Array.isArray(items) ? (items as unknown[]) : [value]));
  }
  return objects;
}

/** The document's value; aliases that expand past the yaml library's bound are a problem, not a hang. */
function toJS(doc: ReturnType<typeof parseAllDocuments>[number]): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch {
    return new Error('aliases expand too far');
  }
}

function take(obj: unknown, source: string, namespace: string, out: TemplatesResult): void {
  if (!isObj(obj) || typeof obj.kind !== 'string') {
    out.problems.push(`${source}: an object without a kind`);
    return;
  }
  const meta = isObj(obj.metadata) ? obj.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : '';
  const label = `${source}: ${obj.kind}/${name || '(unnamed)'}`;
  const template = templateOf(obj);
  if (template === 'none') {
    out.ignored += 1;
    return;
  }
  const ns = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : namespace;
  const pod = template === undefined ? undefined : asPod(obj.kind === 'Pod' ? { ...obj, metadata: { ...meta, namespace: ns } } : toPod(template, name, ns));
  if (!pod) {
    out.problems.push(`${label}: no usable pod spec (spec.containers must be a list of named containers; annotations strings)`);
    return;
  }
  out.templates.push({ label, kind: obj.kind, name, namespace: ns, pod });
}

/** The template of a workload, undefined when the workload lacks one, 'none' for kinds that hold none. */
function templateOf(obj: Obj): Obj | undefined | 'none' {
  const spec = isObj(obj.spec) ? obj.spec : undefined;
  if (obj.kind === 'Pod') return obj;
  if (obj.kind === 'CronJob') {
    const job = isObj(spec?.jobTemplate) ? spec.jobTemplate : undefined;
    const t = isObj(job?.spec) ? job.spec.template : undefined;
    return isObj(t) ? t : undefined;
  }
  if (!(TEMPLATE_KINDS as readonly string[]).includes(obj.kind as string)) return 'none';
  return isObj(spec?.template) ? spec.template : undefined;
}

/** What the controller submits: the template's metadata, a generateName, and the workload's namespace. */
function toPod(template: Obj, name: string, namespace: string): unknown {
  const meta = isObj(template.metadata) ? template.metadata : {};
  const rest = Object.fromEntries(Object.entries(meta).filter(([k]) => k !== 'name'));
  return { apiVersion: 'v1', kind: 'Pod', metadata: { ...rest, ...(name && { generateName: `${name}-` }), namespace }, spec: template.spec };
}
