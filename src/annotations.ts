/**
 * The pod annotation contract (docs/contract.md) in one place: every name and default is a
 * constant here, and `parseSpec` turns a pod's annotations into a validated
 * PodSecretsSpec or every problem at once. Field validation lives in spec.ts and is
 * shared with the sidecar; this module only maps annotations onto it.
 * Problems name the annotation and never echo its value.
 */
import type { ObjectMeta } from 'kubernetes-types/meta/v1';
import {
  checkFile,
  checkFormat,
  checkMountPath,
  checkName,
  checkRole,
  checkRotateInterval,
  checkVaultPath,
  DEFAULTS,
  fileKey,
  parseDuration,
  parseMode,
  parseNotify,
  SPEC_VERSION,
  validateSpec,
  LIFECYCLES,
  type Lifecycle,
  type Notify,
  type PodSecretsSpec,
  type SecretFormat,
  type SecretSpec,
} from './spec';
import { checkResources, RESOURCE_FIELDS, type ResourceField, type ResourceOverrides, type ResourcePolicy } from './pod-resources';
import { printableName } from './printable';

/** Every annotation of the contract starts with this prefix. */
export const PREFIX = 'secrets-broker.io/';

/** Pod-wide annotations (full names). */
export const ANNOTATIONS = {
  /** `"true"` opts the pod in; absent or `"false"` leaves it alone. */
  inject: `${PREFIX}inject`,
  /** Vault role; defaults to the pod's service account name. */
  role: `${PREFIX}role`,
  /** Comma list of containers that get the mount; defaults to every app container. */
  containers: `${PREFIX}containers`,
  /** Absolute path of the secrets volume in the app containers; default `/secrets`. */
  mountPath: `${PREFIX}mount-path`,
  /** `sidecar` (default) or `init-only`. */
  lifecycle: `${PREFIX}lifecycle`,
  /** Duration such as `30s`, `5m`, `1h`; at least 10s; default 5m. */
  rotateInterval: `${PREFIX}rotate-interval`,
  /** `none` (default), `signal:<SIGNAME>` or `http://127.0.0.1:<port>/<path>`. */
  notify: `${PREFIX}notify`,
  /** Written by the injector (`injected`); a value set by the user is ignored. */
  status: `${PREFIX}status`,
  /** The sidecar's CPU request (a quantity, at most SIDECAR_MAX_CPU_REQUEST); default SIDECAR_CPU_REQUEST. */
  cpuRequest: `${PREFIX}cpu-request`,
  /** The sidecar's memory request (at most SIDECAR_MAX_MEMORY_REQUEST); default SIDECAR_MEMORY_REQUEST. */
  memoryRequest: `${PREFIX}memory-request`,
  /** The sidecar's CPU limit (at most SIDECAR_MAX_CPU_LIMIT); default SIDECAR_CPU_LIMIT. */
  cpuLimit: `${PREFIX}cpu-limit`,
  /** The sidecar's memory limit (at most SIDECAR_MAX_MEMORY_LIMIT); default SIDECAR_MEMORY_LIMIT. */
  memoryLimit: `${PREFIX}memory-limit`,
} as const;

/** Per-secret annotation kinds: `secrets-broker.io/<kind>-<name>`. */
export const SECRET_KINDS = ['secret', 'file', 'format', 'key', 'template', 'mode'] as const;
export type SecretKind = (typeof SECRET_KINDS)[number];

/** The value the injector writes to the status annotation. */
export const STATUS_INJECTED = 'injected';

/** Names people try in order to redirect the token or weaken the sidecar: operator settings only. */
export const OPERATOR_ONLY = [
  'vault-addr', 'vault-address', 'vault-ca', 'vault-cacert', 'vault-namespace', 'auth-path', 'auth-method',
  'image', 'security-context', 'run-as-user', 'run-as-group', 'resources', 'token-audience', 'privileged',
] as const;

/** Largest accepted `key-<name>` and `template-<name>` values. */
export const MAX_KEY_LENGTH = 256;
export const MAX_TEMPLATE_BYTES = 65536;

/** What parseSpec needs to know about the pod besides its annotations. */
export interface PodDefaults {
  serviceAccountName: string;
  /** Regular (app) containers, in order. */
  containerNames: readonly string[];
  /** Init containers the user declared (they may ask for the mount too). */
  initContainerNames: readonly string[];
}

export type ParseResult =
  | { ok: true; spec: PodSecretsSpec; containers: string[]; resources: ResourceOverrides }
  | { ok: false; errors: string[] };

/** A pod's metadata.annotations, as review.ts checked them (string values only). */
type Annotations = Readonly<NonNullable<ObjectMeta['annotations']>>;
type SecretAnnotations = Map<string, Partial<Record<SecretKind, string>>>;

/** Does the pod ask for injection? Invalid values are reported by parseSpec. */
export function optedIn(annotations: Annotations | undefined): boolean {
  return annotations?.[ANNOTATIONS.inject] === 'true';
}

/**
 * Parses every annotation under the prefix; returns the spec (and the sidecar resources the
 * pod asks for, within the operator's `policy`) or every problem, each naming its annotation.
 */
export function parseSpec(annotations: Annotations, pod: PodDefaults, policy: ResourcePolicy): ParseResult {
  const errors: string[] = [];
  const err = (name: string, problems: string[]): void => problems.forEach((p) => errors.push(`${shortName(name)}: ${p}`));
  const secretsByName = classify(annotations, err);
  const inject = annotations[ANNOTATIONS.inject];
  if (inject !== undefined && inject !== 'true' && inject !== 'false') err(ANNOTATIONS.inject, ['must be "true" or "false"']);

  const role = annotations[ANNOTATIONS.role] ?? pod.serviceAccountName;
  err(ANNOTATIONS.role, checkRole(role));
  const mountPath = annotations[ANNOTATIONS.mountPath] ?? DEFAULTS.mountPath;
  err(ANNOTATIONS.mountPath, checkMountPath(mountPath));
  const lifecycle = pick(annotations[ANNOTATIONS.lifecycle], DEFAULTS.lifecycle, LIFECYCLES, (p) => err(ANNOTATIONS.lifecycle, [p]));
  const rotateIntervalSeconds = parseInterval(annotations[ANNOTATIONS.rotateInterval], (p) => err(ANNOTATIONS.rotateInterval, p));
  const notifyResult = parseNotify(annotations[ANNOTATIONS.notify] ?? 'none');
  err(ANNOTATIONS.notify, notifyResult.problems);
  const containers = parseContainers(annotations[ANNOTATIONS.containers], pod, (p) => err(ANNOTATIONS.containers, p));
  const secrets = parseSecrets(secretsByName, err);
  const resources = parseResources(annotations, policy, err);
  if (secretsByName.size === 0) errors.push(`${shortName(`${PREFIX}secret-<name>`)}: at least one secret is required`);
  if (errors.length > 0) return { ok: false, errors };

  const spec: PodSecretsSpec = {
    version: SPEC_VERSION,
    role,
    mountPath,
    lifecycle,
    rotateIntervalSeconds,
    notify: notifyResult.notify as Notify,
    secrets,
  };
  // The sidecar validates the spec again with these rules; a gap here must not reach it.
  const backstop = validateSpec(spec);
  return backstop.length > 0 ? { ok: false, errors: backstop } : { ok: true, spec, containers, resources };
}

/** Every pod-wide annotation name. */
const KNOWN = new Set<string>(Object.values(ANNOTATIONS));

/** Sorts annotations under the prefix into pod-wide and per-secret ones; reports unknown keys. */
function classify(annotations: Annotations, err: (name: string, problems: string[]) => void): SecretAnnotations {
  const secrets: SecretAnnotations = new Map();
  for (const [key, value] of Object.entries(annotations)) {
    if (!key.startsWith(PREFIX) || KNOWN.has(key)) continue;
    const rest = key.slice(PREFIX.length);
    const m = /^(secret|file|format|key|template|mode)-(.*)$/s.exec(rest);
    if (!m) {
      const operatorOnly = (OPERATOR_ONLY as readonly string[]).includes(rest);
      err(key, [operatorOnly ? 'is an operator setting; a pod cannot set it' : 'unknown annotation']);
      continue;
    }
    const [, kind, name] = m as unknown as [string, SecretKind, string];
    const nameProblems = checkName(name);
    if (nameProblems.length > 0) {
      err(key, nameProblems.map((p) => `<name> ${p}`));
      continue;
    }
    const entry = secrets.get(name) ?? {};
    entry[kind] = value;
    secrets.set(name, entry);
  }
  return secrets;
}

function parseSecrets(byName: SecretAnnotations, err: (name: string, problems: string[]) => void): SecretSpec[] {
  const out: SecretSpec[] = [];
  const files = new Map<string, string>();
  for (const name of [...byName.keys()].sort()) {
    const a = byName.get(name) ?? {};
    const at = (kind: SecretKind): string => `${PREFIX}${kind}-${name}`;
    if (a.secret === undefined) {
      err(at(SECRET_KINDS.find((k) => a[k] !== undefined) ?? 'secret'), [`no ${PREFIX}secret-${name} annotation for it`]);
      continue;
    }
    const secret = parseOneSecret(name, a, (kind, problems) => err(at(kind), problems));
    // The same bytes on disk are the same file, however the string spells them.
    const other = files.get(fileKey(secret.file));
    if (other !== undefined) err(at('file'), [`writes the same file as secret "${other}"`]);
    files.set(fileKey(secret.file), name);
    out.push(secret);
  }
  return out;
}

function parseOneSecret(
  name: string,
  a: Partial<Record<SecretKind, string>>,
  err: (kind: SecretKind, problems: string[]) => void,
): SecretSpec {
  const path = a.secret ?? '';
  err('secret', checkVaultPath(path));
  const file = a.file ?? name;
  err('file', checkFile(file));
  const format = (a.format ?? DEFAULTS.format) as SecretFormat;
  err('format', checkFormat(format));
  const parsedMode = parseMode(a.mode ?? '0440');
  err('mode', parsedMode.problems);
  checkKeyAndTemplate(name, a, err);
  return {
    name,
    path,
    file,
    format,
    mode: parsedMode.mode ?? DEFAULTS.mode,
    ...(a.key !== undefined && { key: a.key }),
    ...(a.template !== undefined && { template: a.template }),
  };
}

function checkKeyAndTemplate(name: string, a: Partial<Record<SecretKind, string>>, err: (kind: SecretKind, problems: string[]) => void): void {
  if (a.key !== undefined && (a.key.length === 0 || a.key.length > MAX_KEY_LENGTH)) err('key', [`must be 1 to ${MAX_KEY_LENGTH} characters`]);
  if (a.template !== undefined && Buffer.byteLength(a.template) > MAX_TEMPLATE_BYTES) err('template', ['must be at most 64 KiB']);
  if (a.key !== undefined && a.template !== undefined) err('key', [`cannot be combined with ${PREFIX}template-${name}`]);
}

function parseResources(annotations: Annotations, policy: ResourcePolicy, err: (name: string, problems: string[]) => void): ResourceOverrides {
  const names = Object.fromEntries(RESOURCE_FIELDS.map((f) => [f, ANNOTATIONS[f]])) as Record<ResourceField, string>;
  const values = Object.fromEntries(RESOURCE_FIELDS.flatMap((f) => (annotations[names[f]] === undefined ? [] : [[f, annotations[names[f]]]])));
  const checked = checkResources(values, policy, names);
  checked.problems.forEach(([field, problem]) => err(names[field], [problem]));
  return checked.overrides;
}

function pick(value: string | undefined, fallback: Lifecycle, allowed: readonly Lifecycle[], err: (p: string) => void): Lifecycle {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as Lifecycle;
  err(`must be one of ${allowed.join(', ')}`);
  return fallback;
}

function parseInterval(value: string | undefined, err: (p: string[]) => void): number {
  if (value === undefined) return DEFAULTS.rotateIntervalSeconds;
  const seconds = parseDuration(value);
  if (seconds === undefined) {
    err(['must be a duration such as 30s, 5m or 1h']);
    return DEFAULTS.rotateIntervalSeconds;
  }
  err(checkRotateInterval(seconds));
  return seconds;
}

function parseContainers(value: string | undefined, pod: PodDefaults, err: (p: string[]) => void): string[] {
  if (value === undefined) return [...pod.containerNames];
  const names = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (names.length === 0) {
    err(['must name at least one container']);
    return [];
  }
  const known = new Set([...pod.containerNames, ...pod.initContainerNames]);
  const unknown = names.filter((n) => !known.has(n));
  // Container names are DNS labels chosen by the user, safe to name back; anything else is not echoed.
  unknown.forEach((n) => err([/^[a-z0-9-]{1,63}$/.test(n) ? `no container named "${n}" in the pod` : 'names a container that is not in the pod']));
  return [...new Set(names)];
}

/** Keys can be long or hostile; keep messages short and printable. */
const shortName = (key: string): string => printableName(key, 120);
