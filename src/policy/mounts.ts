/**
 * Which secrets engine holds each path (pure). The sidecar asks Vault
 * (`sys/internal/ui/mounts/<path>`); policy cannot, so the mounts are declared with
 * `--mount PATH=kv1|kv2|pki|database|other`, and the unambiguous paths are recognised
 * without one: `<mount>/data/...` is KV v2, `<mount>/issue/<role>` PKI, `<mount>/creds/<role>` a
 * dynamic-credentials engine. Anything else is a problem naming the path, never a guess.
 */
import type { MountInfo } from '../vault/types';

export const MOUNT_KINDS = ['kv1', 'kv2', 'pki', 'database', 'other'] as const;
export type MountKind = (typeof MOUNT_KINDS)[number];

export interface DeclaredMount {
  /** With a trailing slash, as Vault spells mount paths: `secret/`, `team/kv/`. */
  path: string;
  kind: MountKind;
}

/** Parses `--mount PATH=KIND` values; returns the mounts and a problem per bad value. */
export function parseMounts(values: readonly string[]): { mounts: DeclaredMount[]; problems: string[] } {
  const mounts: DeclaredMount[] = [];
  const problems: string[] = [];
  for (const v of values) {
    const eq = v.lastIndexOf('=');
    const path = eq > 0 ? v.slice(0, eq).replace(/^\/+|\/+$/g, '') : '';
    const kind = v.slice(eq + 1);
    const segments = path.split('/');
    if (!segments.every((x) => /^[A-Za-z0-9_.-]+$/.test(x) && !/^\.+$/.test(x)) || !(MOUNT_KINDS as readonly string[]).includes(kind)) {
      problems.push(`--mount must be PATH=${MOUNT_KINDS.join('|')} (got a value that is not)`);
    } else mounts.push({ path: `${path}/`, kind: kind as MountKind });
  }
  return { mounts, problems };
}

function info(m: DeclaredMount): MountInfo {
  const type = m.kind === 'kv1' || m.kind === 'kv2' ? 'kv' : m.kind;
  return { path: m.path, type, kvVersion: m.kind === 'kv2' ? 2 : m.kind === 'kv1' ? 1 : 0 };
}

/** What the sidecar would learn about the mount holding `base`, or undefined when policy cannot tell. */
export function mountFor(base: string, declared: readonly DeclaredMount[]): MountInfo | undefined {
  const longest = declared.filter((m) => base.startsWith(m.path)).sort((a, b) => b.path.length - a.path.length)[0];
  if (longest) return info(longest);
  const [first, second] = base.split('/');
  const path = `${first ?? ''}/`;
  if (second === 'data') return info({ path, kind: 'kv2' });
  if (/^[^/]+\/issue\/[^/]+$/.test(base)) return info({ path, kind: 'pki' });
  if (/^[^/]+\/creds\/[^/]+$/.test(base)) return info({ path, kind: 'database' });
  return undefined;
}
