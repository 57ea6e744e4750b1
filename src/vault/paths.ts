/**
 * Pure: how to read a secret given its spec path and what Vault said about its mount.
 * KV v2 paths are accepted with or without `data/`; query strings become POST parameters
 * (PKI issue); anything else is a plain GET whose lease, if any, drives refreshes.
 */
import { splitVaultPath } from '../spec';
import type { MountInfo } from './types';

export type SourceKind = 'kv1' | 'kv2' | 'pki' | 'generic';

export interface ReadPlan {
  kind: SourceKind;
  /** Where the values come from. */
  dataPath: string;
  /** KV v2 only: where `current_version` is read. */
  metadataPath?: string;
  /** Sent as a POST body when present. */
  params?: Record<string, string>;
}

/** The path part of a spec path (the mount lookup key). */
export function basePath(specPath: string): string {
  return splitVaultPath(specPath)[0];
}

export function planRead(specPath: string, mount: MountInfo | undefined): ReadPlan {
  const [base, query] = splitVaultPath(specPath);
  const params = query === undefined ? undefined : parseQuery(query);
  if (mount?.kvVersion === 2 && base.startsWith(mount.path)) {
    const rel = base.slice(mount.path.length).replace(/^data\//, '');
    return { kind: 'kv2', dataPath: `${mount.path}data/${rel}`, metadataPath: `${mount.path}metadata/${rel}` };
  }
  if (mount?.kvVersion === 1) return { kind: 'kv1', dataPath: base };
  const pki = mount ? mount.type === 'pki' : /^[^/]+\/issue\/[^/]+$/.test(base);
  if (pki) return { kind: 'pki', dataPath: base, params: params ?? {} };
  return { kind: 'generic', dataPath: base, ...(params && { params }) };
}

function parseQuery(query: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of query.split('&')) {
    const i = pair.indexOf('=');
    if (i > 0) out[pair.slice(0, i)] = pair.slice(i + 1);
  }
  return out;
}

/** KV v2 wraps values as `{data: {...}, metadata: {version}}`; unwrap, or take the fields as they are. */
export function secretFields(kind: SourceKind, data: Record<string, unknown>): { fields?: Record<string, unknown>; version?: number } {
  if (kind !== 'kv2') return { fields: data };
  const inner = data.data;
  const meta = data.metadata;
  // A deleted or destroyed version answers with data: null: no fields, never an empty file.
  const fields = typeof inner === 'object' && inner !== null && !Array.isArray(inner) ? (inner as Record<string, unknown>) : undefined;
  const version = typeof meta === 'object' && meta !== null ? (meta as Record<string, unknown>).version : undefined;
  return { ...(fields && { fields }), ...(typeof version === 'number' && { version }) };
}
