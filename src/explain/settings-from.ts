/**
 * The operator's settings read off the injector's own Deployment (pure): `helm template`
 * output, so the chart maps its values exactly as it does at install, or
 * `kubectl get deploy -o yaml` of a running installation. The injector's container is the
 * one whose environment names INJECTOR_TLS_CERT_FILE; its literal `value`s are the settings.
 */
import { parseAllDocuments } from 'yaml';
import { INJECTOR_SETTING_NAMES } from '../config/injector';

/** The setting every injector container is given, and only it. */
const MARKER = 'INJECTOR_TLS_CERT_FILE';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export type SettingsFromResult = { ok: true; env: Record<string, string> } | { ok: false; problems: string[] };

export function settingsFromManifest(text: string, source: string): SettingsFromResult {
  const envs = objects(text).flatMap(containersOf).map((c) => (Array.isArray(c.env) ? (c.env as unknown[]).filter(isObj) : [])).filter((env) => env.some((e) => e.name === MARKER));
  if (envs.length !== 1) return { ok: false, problems: [`${source}: ${envs.length === 0 ? 'no' : 'more than one'} injector Deployment (a container whose env names ${MARKER})`] };
  const out: Record<string, string> = {};
  const problems: string[] = [];
  for (const e of envs[0] ?? []) {
    if (typeof e.name !== 'string' || !INJECTOR_SETTING_NAMES.includes(e.name)) continue;
    if (typeof e.value === 'string') out[e.name] = e.value;
    else if (e.valueFrom !== undefined) problems.push(`${source}: ${e.name} comes from valueFrom; give it with --set ${e.name}=VALUE`);
    else out[e.name] = '';
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, env: out };
}

function objects(text: string): unknown[] {
  return parseAllDocuments(text).flatMap((d) => {
    if (d.errors.length > 0) return [];
    let v: unknown;
    try {
      v = d.toJS({ maxAliasCount: 100 });
    } catch {
      return [];
    }
    return isObj(v) && v.kind === 'List' && Array.isArray(v.items) ? (v.items as unknown[]) : [v];
  });
}

function containersOf(obj: unknown): Obj[] {
  if (!isObj(obj) || obj.kind !== 'Deployment' || !isObj(obj.spec) || !isObj(obj.spec.template) || !isObj(obj.spec.template.spec)) return [];
  const list = obj.spec.template.spec.containers;
  return Array.isArray(list) ? list.filter(isObj) : [];
}
