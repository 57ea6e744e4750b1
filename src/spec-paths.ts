/**
 * The path validators of the spec (pure): file names under the mount, the mount path
 * itself, and Vault paths. spec.ts re-exports them; the injector validates annotations
 * with them and the sidecar validates the decoded spec again with the same functions.
 * Every validator returns a list of problems (empty when fine) and never echoes a value.
 */
import { IMAGE_CLI, SIDECAR_DEFAULTS } from './sidecar-env';

/** Where the sidecar's program lives in its image (`/app`). */
export const SIDECAR_PROGRAM_DIR = `/${IMAGE_CLI.split('/')[1] ?? 'app'}`;
/** Where the injector mounts the projected token in the sidecar. */
export const SIDECAR_TOKEN_DIR = SIDECAR_DEFAULTS.tokenFile.slice(0, SIDECAR_DEFAULTS.tokenFile.lastIndexOf('/'));

/**
 * The sidecar's own files: a mount at one of these, beneath one, or above one (`/`,
 * `/var`, `/var/run` ...) would hide its program or its token inside the sidecar, where the
 * secrets volume is mounted at the same path.
 */
export const SIDECAR_OWN_DIRS: readonly string[] = [SIDECAR_PROGRAM_DIR, SIDECAR_TOKEN_DIR];
/** System trees: never a mount path, nor anything beneath them. */
export const SYSTEM_DIRS: readonly string[] = [
  '/proc', '/sys', '/dev', '/etc', '/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/boot', '/var/run/secrets',
];
/** Vault path components that reach Vault's own API rather than a secrets engine, in any namespace. */
export const DENIED_VAULT_COMPONENTS: readonly string[] = ['sys', 'auth', 'identity'];

const CONTROL = /[\p{Cc}\p{Zl}\p{Zp}]/u;
/** Bidi overrides and isolates, zero-width characters, soft hyphen, BOM: a name that reads as another. */
const INVISIBLE = /\p{Cf}/u;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const PKI_ISSUE = /^(?:[^/]+\/)+(?:issue|sign)\/[^/]+$/;

/** A file path relative to the mount: no traversal, no absolute path, nothing invisible, within limits. */
export function checkFile(file: string): string[] {
  const problems: string[] = [];
  if (file.length === 0) return ['must not be empty'];
  if (file.length > 4096) problems.push('path is longer than 4096 characters');
  if (CONTROL.test(file)) problems.push('must not contain NUL or control characters');
  if (INVISIBLE.test(file)) problems.push('must not contain bidirectional, zero-width or other invisible formatting characters');
  if (LONE_SURROGATE.test(file)) problems.push('must be valid Unicode (no lone surrogates)');
  if (file.startsWith('/')) problems.push('must be relative to the mount path');
  const parts = file.split('/');
  if (parts.some((p) => p === '..' || p === '.')) problems.push('must not contain "." or ".." components');
  if (parts.some((p) => p === '')) problems.push('must not contain empty components');
  // Kubernetes projects atomic-writer internals as ..data / ..<timestamp>; never collide with them.
  if (parts.some((p) => p.startsWith('..'))) problems.push('components must not start with ".."');
  if (parts.some((p) => Buffer.byteLength(p) > 255)) problems.push('a path component is longer than 255 bytes');
  return problems;
}

/** Two file names are the same file when their bytes on disk are: compare UTF-8. */
export function fileKey(file: string): string {
  return Buffer.from(file, 'utf8').toString('hex');
}

/** `/var/run` is a link to `/run` in every image we know: judge both spellings alike. */
export function canonicalDir(path: string): string {
  return path === '/run' || path.startsWith('/run/') ? `/var${path}` : path;
}

function within(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir}/`);
}

/** A mount path: absolute, normalised, not a system directory, not hiding the sidecar's own files. */
export function checkMountPath(path: string): string[] {
  if (!path.startsWith('/')) return ['must be an absolute path'];
  if (path === '/') return ["must not hide the sidecar's program or token directory"];
  const problems = checkFile(path.slice(1));
  if (problems.length > 0) return problems;
  const p = canonicalDir(path);
  if (SIDECAR_OWN_DIRS.some((own) => within(p, own) || within(own, p))) return ["must not hide the sidecar's program or token directory"];
  if (SYSTEM_DIRS.some((dir) => within(p, dir))) return ['must not be a system directory'];
  return [];
}

/** Is this mount path at or beneath the sidecar's token directory (either spelling of /run)? */
export function isTokenPath(path: string): boolean {
  return within(canonicalDir(path), SIDECAR_TOKEN_DIR);
}

/** A Vault path: relative API path, safe characters; a query string of simple parameters on PKI issue/sign paths only. */
export function checkVaultPath(path: string): string[] {
  const [base = '', query] = splitVaultPath(path);
  if (!/^[A-Za-z0-9_-][A-Za-z0-9_.\-/]*[A-Za-z0-9_-]$/.test(base) || base.includes('//')) {
    return ['must be a Vault path such as secret/data/app/db'];
  }
  const parts = base.split('/');
  if (parts.some((p) => p === '..' || p === '.')) return ['must not contain "." or ".." components'];
  // A Vault namespace is a path prefix (`team/sys/...`), nested to any depth: no component may reach sys, auth or identity.
  if (parts.some((p) => DENIED_VAULT_COMPONENTS.includes(p.toLowerCase()))) {
    return ['must name a secrets engine path: no sys, auth or identity component (also not after a Vault namespace)'];
  }
  if (query === undefined) return [];
  // Parameters turn the read into a write (POST): only where that is the point, issuing a certificate.
  if (!PKI_ISSUE.test(base)) return ['a query string is allowed only on a PKI issue or sign path (<mount>/issue/<role>)'];
  if (!/^[A-Za-z0-9_]+=[A-Za-z0-9_.,:@*-]*(&[A-Za-z0-9_]+=[A-Za-z0-9_.,:@*-]*)*$/.test(query)) {
    return ['query parameters must be simple key=value pairs'];
  }
  return [];
}

/** Splits `pki/issue/web?common_name=x` into the path and the raw query string. */
export function splitVaultPath(path: string): [string, string | undefined] {
  const i = path.indexOf('?');
  return i < 0 ? [path, undefined] : [path.slice(0, i), path.slice(i + 1)];
}
