/**
 * The spec the injector hands to the sidecar (one JSON document in one env var), and
 * the field validators both sides use: the injector validates annotations with them,
 * the sidecar validates the decoded spec again with the same functions.
 * Every validator returns a list of problems (empty when fine) and never echoes values
 * that could be secret.
 */
import { SpecError } from './errors';
import { checkFile, checkMountPath, checkVaultPath, fileKey } from './spec-paths';

export { checkFile, checkMountPath, checkVaultPath, fileKey, isTokenPath, SIDECAR_TOKEN_DIR, splitVaultPath } from './spec-paths';

/** The env var that carries the encoded spec into the sidecar. */
export const SPEC_ENV = 'SECRETS_BROKER_SPEC';
export const SPEC_VERSION = 1;

export const FORMATS = ['json', 'yaml', 'env', 'properties', 'raw', 'pem'] as const;
export type SecretFormat = (typeof FORMATS)[number];

export const LIFECYCLES = ['sidecar', 'init-only'] as const;
export type Lifecycle = (typeof LIFECYCLES)[number];

export type Notify = { kind: 'none' } | { kind: 'signal'; signal: string } | { kind: 'http'; port: number; path: string };

/** One secret: where it comes from in Vault and how it lands on the tmpfs. */
export interface SecretSpec {
  /** The `<name>` of the annotations: a lowercase DNS label, 1 to 40 characters. */
  name: string;
  /** Vault path, optionally with a query string (PKI issue parameters). */
  path: string;
  /** File path relative to the mount. */
  file: string;
  format: SecretFormat;
  /** Write this one field, raw. */
  key?: string;
  /** Template over the secret's fields. */
  template?: string;
  /** File mode, for example 0o440. */
  mode: number;
}

/** Everything the sidecar needs to know about one pod's secrets. */
export interface PodSecretsSpec {
  version: typeof SPEC_VERSION;
  role: string;
  mountPath: string;
  lifecycle: Lifecycle;
  rotateIntervalSeconds: number;
  notify: Notify;
  secrets: SecretSpec[];
}

export const DEFAULTS = {
  format: 'json' as SecretFormat,
  mode: 0o440,
  mountPath: '/secrets',
  lifecycle: 'sidecar' as Lifecycle,
  rotateIntervalSeconds: 300,
  minRotateIntervalSeconds: 10,
  maxRotateIntervalSeconds: 7 * 24 * 3600,
} as const;

const NAME_RE = /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/;
// Signals an app can reasonably be asked to reload on; never KILL or STOP.
export const NOTIFY_SIGNALS = ['SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGWINCH'] as const;

/** `<name>`: lowercase DNS label of 1 to 40 characters. */
export function checkName(name: string): string[] {
  return NAME_RE.test(name) ? [] : ['must be a lowercase DNS label of 1 to 40 characters'];
}

/** Parses an octal mode string such as `0440` or `440`. */
export function parseMode(text: string): { mode?: number; problems: string[] } {
  if (!/^0?[0-7]{3}$/.test(text)) return { problems: ['must be an octal file mode such as 0440'] };
  const mode = parseInt(text, 8);
  return { mode, problems: checkMode(mode) };
}

/** A file mode: never world-accessible, owner must be able to read it, no special bits. */
export function checkMode(mode: number): string[] {
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o777) return ['must be an octal file mode such as 0440'];
  const problems: string[] = [];
  if ((mode & 0o007) !== 0) problems.push('must not be world-accessible');
  if ((mode & 0o400) === 0) problems.push('owner must be able to read the file');
  if ((mode & 0o111) !== 0) problems.push('must not be executable');
  return problems;
}

export function checkFormat(format: string): string[] {
  return (FORMATS as readonly string[]).includes(format) ? [] : [`must be one of ${FORMATS.join(', ')}`];
}

/** Parses `30s`, `5m`, `1h`, `1h30m` into seconds. */
export function parseDuration(text: string): number | undefined {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!m || text === '') return undefined;
  const [, h, min, s] = m;
  return Number(h ?? 0) * 3600 + Number(min ?? 0) * 60 + Number(s ?? 0);
}

export function checkRotateInterval(seconds: number): string[] {
  if (!Number.isInteger(seconds)) return ['must be a duration such as 30s, 5m or 1h'];
  if (seconds < DEFAULTS.minRotateIntervalSeconds) return [`must be at least ${DEFAULTS.minRotateIntervalSeconds}s`];
  if (seconds > DEFAULTS.maxRotateIntervalSeconds) return ['must be at most 168h'];
  return [];
}

/** Parses `none`, `signal:SIGHUP` or `http://127.0.0.1:<port>/<path>`. */
export function parseNotify(text: string): { notify?: Notify; problems: string[] } {
  if (text === 'none') return { notify: { kind: 'none' }, problems: [] };
  const sig = /^signal:(SIG[A-Z0-9]+)$/.exec(text);
  if (sig) {
    const signal = sig[1] as string;
    if (!(NOTIFY_SIGNALS as readonly string[]).includes(signal)) {
      return { problems: [`signal must be one of ${NOTIFY_SIGNALS.join(', ')}`] };
    }
    return { notify: { kind: 'signal', signal }, problems: [] };
  }
  const http = /^http:\/\/127\.0\.0\.1:(\d{1,5})(\/[A-Za-z0-9._~\-/]*)?$/.exec(text);
  if (http) {
    const port = Number(http[1]);
    if (port < 1 || port > 65535) return { problems: ['port must be between 1 and 65535'] };
    return { notify: { kind: 'http', port, path: http[2] ?? '/' }, problems: [] };
  }
  return { problems: ['must be none, signal:<SIGNAME> or http://127.0.0.1:<port>/<path>'] };
}

export function checkRole(role: string): string[] {
  return /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(role) ? [] : ['must be a Vault role name (letters, digits, _ . -)'];
}

/** Thrown by decodeSpec (defined with the other error classes in src/errors.ts). */
export { SpecError };

export function encodeSpec(spec: PodSecretsSpec): string {
  return JSON.stringify(spec);
}

/** Decodes and validates a spec again (the sidecar never trusts the injector alone). */
export function decodeSpec(text: string): PodSecretsSpec {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new SpecError(['not valid JSON']);
  }
  const problems = validateSpec(raw);
  if (problems.length > 0) throw new SpecError(problems);
  return raw as PodSecretsSpec;
}

const SPEC_FIELDS = ['version', 'role', 'mountPath', 'lifecycle', 'rotateIntervalSeconds', 'notify', 'secrets'] as const;
const SECRET_FIELDS = ['name', 'path', 'file', 'format', 'key', 'template', 'mode'] as const;
const NOTIFY_FIELDS = { none: ['kind'], signal: ['kind', 'signal'], http: ['kind', 'port', 'path'] } as const;

type Fields = Record<string, unknown>;

function isRecord(v: unknown): v is Fields {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function unknownFields(o: Fields, allowed: readonly string[]): string[] {
  return Object.keys(o).filter((k) => !allowed.includes(k)).map((k) => (/^[A-Za-z0-9_]{1,40}$/.test(k) ? `unknown field "${k}"` : 'unknown field'));
}

/** A string field: its own checks, or "must be a string" for any other type (arrays included). */
function str(v: unknown, check: (v: string) => string[]): string[] {
  return typeof v === 'string' ? check(v) : ['must be a string'];
}

function int(v: unknown, check: (v: number) => string[]): string[] {
  return typeof v === 'number' && Number.isInteger(v) ? check(v) : ['must be an integer'];
}

/**
 * Every problem with a decoded spec, each prefixed with the field it concerns. Strict:
 * each field has exactly its type (an array is never a string or a number), and a field
 * the injector never writes is refused.
 */
export function validateSpec(raw: unknown): string[] {
  if (!isRecord(raw)) return ['spec must be an object'];
  const problems: string[] = unknownFields(raw, SPEC_FIELDS).map((p) => `spec: ${p}`);
  const at = (field: string, list: string[]): void => list.forEach((p) => problems.push(`${field}: ${p}`));
  if (raw.version !== SPEC_VERSION) problems.push(`version: must be ${SPEC_VERSION}`);
  at('role', str(raw.role, checkRole));
  at('mountPath', str(raw.mountPath, checkMountPath));
  at('lifecycle', str(raw.lifecycle, (l) => ((LIFECYCLES as readonly string[]).includes(l) ? [] : [`must be one of ${LIFECYCLES.join(', ')}`])));
  at('rotateIntervalSeconds', int(raw.rotateIntervalSeconds, checkRotateInterval));
  at('notify', checkNotifyObject(raw.notify));
  if (!Array.isArray(raw.secrets) || raw.secrets.length === 0) {
    problems.push('secrets: must list at least one secret');
    return problems;
  }
  const names = new Set<string>();
  const files = new Set<string>();
  (raw.secrets as unknown[]).forEach((sec, i) => {
    problems.push(...validateSecret(sec).map((p) => `secrets[${i}].${p}`));
    const { name, file } = isRecord(sec) ? sec : {};
    if (typeof name === 'string' && names.has(name)) problems.push(`secrets[${i}].name: duplicate`);
    if (typeof file === 'string' && files.has(fileKey(file))) problems.push(`secrets[${i}].file: two secrets write the same file`);
    if (typeof name === 'string') names.add(name);
    if (typeof file === 'string') files.add(fileKey(file));
  });
  return problems;
}

function checkNotifyObject(n: unknown): string[] {
  if (!isRecord(n)) return ['must be an object'];
  const kind = n.kind;
  if (kind !== 'none' && kind !== 'signal' && kind !== 'http') return ['kind must be none, signal or http'];
  const problems = unknownFields(n, NOTIFY_FIELDS[kind]);
  if (kind === 'signal') problems.push(...str(n.signal, (s) => parseNotify(`signal:${s}`).problems));
  if (kind === 'http') {
    const port = int(n.port, (p) => (p >= 1 && p <= 65535 ? [] : ['port must be between 1 and 65535']));
    const path = str(n.path, (p) => (p.startsWith('/') ? parseNotify(`http://127.0.0.1:1${p}`).problems : ['must start with /']));
    problems.push(...port.map((p) => `port: ${p}`), ...path.map((p) => `path: ${p}`));
  }
  return problems;
}

function validateSecret(raw: unknown): string[] {
  if (!isRecord(raw)) return ['must be an object'];
  const out: string[] = unknownFields(raw, SECRET_FIELDS);
  const field = (name: (typeof SECRET_FIELDS)[number], check: (v: string) => string[], optional = false): void => {
    const v = raw[name];
    if (v === undefined && optional) return;
    str(v, check).forEach((p) => out.push(`${name}: ${p}`));
  };
  field('name', checkName);
  field('path', checkVaultPath);
  field('file', checkFile);
  field('format', checkFormat);
  field('key', (k) => (k.length > 0 && k.length <= 256 ? [] : ['must be 1 to 256 characters']), true);
  field('template', (t) => (Buffer.byteLength(t) <= 65536 ? [] : ['must be at most 64 KiB']), true);
  if (raw.key !== undefined && raw.template !== undefined) out.push('key: cannot be combined with a template');
  int(raw.mode, checkMode).forEach((p) => out.push(`mode: ${p}`));
  return out;
}
