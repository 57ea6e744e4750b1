/**
 * The spec the injector hands to the sidecar (one JSON document in one env var), and
 * the field validators both sides use: the injector validates annotations with them,
 * the sidecar validates the decoded spec again with the same functions.
 * Every validator returns a list of problems (empty when fine) and never echoes values
 * that could be secret.
 */
import { SpecError } from './errors';

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

/** A file path relative to the mount: no traversal, no absolute path, no control characters, within limits. */
export function checkFile(file: string): string[] {
  const problems: string[] = [];
  if (file.length === 0) return ['must not be empty'];
  if (file.length > 4096) problems.push('path is longer than 4096 characters');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(file)) problems.push('must not contain NUL or control characters');
  if (file.startsWith('/')) problems.push('must be relative to the mount path');
  const parts = file.split('/');
  if (parts.some((p) => p === '..' || p === '.')) problems.push('must not contain "." or ".." components');
  if (parts.some((p) => p === '')) problems.push('must not contain empty components');
  // Kubernetes projects atomic-writer internals as ..data / ..<timestamp>; never collide with them.
  if (parts.some((p) => p.startsWith('..'))) problems.push('components must not start with ".."');
  if (parts.some((p) => Buffer.byteLength(p) > 255)) problems.push('a path component is longer than 255 bytes');
  return problems;
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

/** A mount path: absolute, normalised, not a system directory. */
export function checkMountPath(path: string): string[] {
  if (!path.startsWith('/')) return ['must be an absolute path'];
  const problems = checkFile(path.slice(1));
  if (problems.length > 0) return problems;
  const reserved = ['/', '/proc', '/sys', '/dev', '/etc', '/bin', '/sbin', '/usr', '/lib', '/var/run/secrets'];
  if (reserved.some((r) => path === r || (r !== '/' && path.startsWith(`${r}/`)))) return ['must not be a system directory'];
  return [];
}

/** A Vault path: relative API path, safe characters, optional query string of simple parameters. */
export function checkVaultPath(path: string): string[] {
  const [base = '', query] = splitVaultPath(path);
  if (!/^[A-Za-z0-9_-][A-Za-z0-9_.\-/]*[A-Za-z0-9_-]$/.test(base) || base.includes('//')) {
    return ['must be a Vault path such as secret/data/app/db'];
  }
  if (base.split('/').some((p) => p === '..' || p === '.')) return ['must not contain "." or ".." components'];
  if (base.startsWith('sys/') || base.startsWith('auth/') || base.startsWith('identity/')) {
    return ['must name a secrets engine path, not sys/, auth/ or identity/'];
  }
  if (query !== undefined && !/^[A-Za-z0-9_]+=[A-Za-z0-9_.,:@*-]*(&[A-Za-z0-9_]+=[A-Za-z0-9_.,:@*-]*)*$/.test(query)) {
    return ['query parameters must be simple key=value pairs'];
  }
  return [];
}

/** Splits `pki/issue/web?common_name=x` into the path and the raw query string. */
export function splitVaultPath(path: string): [string, string | undefined] {
  const i = path.indexOf('?');
  return i < 0 ? [path, undefined] : [path.slice(0, i), path.slice(i + 1)];
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

/** Every problem with a decoded spec, each prefixed with the field it concerns. */
export function validateSpec(raw: unknown): string[] {
  if (typeof raw !== 'object' || raw === null) return ['spec must be an object'];
  const s = raw as Record<string, unknown>;
  const problems: string[] = [];
  const at = (field: string, list: string[]): void => list.forEach((p) => problems.push(`${field}: ${p}`));
  if (s.version !== SPEC_VERSION) problems.push(`version: must be ${SPEC_VERSION}`);
  at('role', typeof s.role === 'string' ? checkRole(s.role) : ['must be a string']);
  at('mountPath', typeof s.mountPath === 'string' ? checkMountPath(s.mountPath) : ['must be a string']);
  if (!(LIFECYCLES as readonly unknown[]).includes(s.lifecycle)) problems.push(`lifecycle: must be one of ${LIFECYCLES.join(', ')}`);
  at('rotateIntervalSeconds', typeof s.rotateIntervalSeconds === 'number' ? checkRotateInterval(s.rotateIntervalSeconds) : ['must be a number']);
  at('notify', checkNotifyObject(s.notify));
  if (!Array.isArray(s.secrets) || s.secrets.length === 0) {
    problems.push('secrets: must list at least one secret');
    return problems;
  }
  const names = new Set<string>();
  const files = new Set<string>();
  (s.secrets as unknown[]).forEach((sec, i) => {
    problems.push(...validateSecret(sec).map((p) => `secrets[${i}].${p}`));
    const { name, file } = (sec ?? {}) as Partial<SecretSpec>;
    if (typeof name === 'string' && names.has(name)) problems.push(`secrets[${i}].name: duplicate`);
    if (typeof file === 'string' && files.has(file)) problems.push(`secrets[${i}].file: two secrets write the same file`);
    if (typeof name === 'string') names.add(name);
    if (typeof file === 'string') files.add(file);
  });
  return problems;
}

function checkNotifyObject(n: unknown): string[] {
  if (typeof n !== 'object' || n === null) return ['must be an object'];
  const o = n as Record<string, unknown>;
  if (o.kind === 'none') return [];
  if (o.kind === 'signal') return parseNotify(`signal:${String(o.signal)}`).problems;
  if (o.kind === 'http') return parseNotify(`http://127.0.0.1:${String(o.port)}${String(o.path)}`).problems;
  return ['kind must be none, signal or http'];
}

function validateSecret(raw: unknown): string[] {
  if (typeof raw !== 'object' || raw === null) return ['must be an object'];
  const s = raw as Record<string, unknown>;
  const out: string[] = [];
  const field = (name: string, check: (v: string) => string[], optional = false): void => {
    const v = s[name];
    if (v === undefined && optional) return;
    const list = typeof v === 'string' ? check(v) : ['must be a string'];
    list.forEach((p) => out.push(`${name}: ${p}`));
  };
  field('name', checkName);
  field('path', checkVaultPath);
  field('file', checkFile);
  field('format', checkFormat);
  field('key', (k) => (k.length > 0 && k.length <= 256 ? [] : ['must be 1 to 256 characters']), true);
  field('template', (t) => (t.length <= 65536 ? [] : ['must be at most 64 KiB']), true);
  if (s.key !== undefined && s.template !== undefined) out.push('key: cannot be combined with a template');
  checkMode(typeof s.mode === 'number' ? s.mode : -1).forEach((p) => out.push(`mode: ${p}`));
  return out;
}
