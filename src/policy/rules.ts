/**
 * The Vault calls a sidecar makes for one pod's spec, as policy rules (pure). Each rule
 * names the sidecar operation that needs it. The calls are those of src/vault/client.ts
 * as src/sidecar drives them: the read of each secret (planRead, the sidecar's own path
 * plan), the KV v2 metadata poll, the mount lookup, token renew/lookup/revoke, lease
 * renew/revoke, and the audit-device HMAC.
 */
import type { PodSecretsSpec } from '../spec';
import { basePath, planRead } from '../vault/paths';
import { mountFor, type DeclaredMount } from './mounts';

export type Capability = 'read' | 'update';

export interface Rule {
  path: string;
  capabilities: Capability[];
  /** The sidecar operations that need it. */
  why: string[];
}

export interface SidecarFacts {
  revokeOnShutdown: boolean;
  /** Empty: no audit device, no HMAC call. */
  auditHashDevice: string;
}

export interface RulesResult {
  rules: Rule[];
  problems: string[];
}

const LEASED_KINDS = new Set(['pki', 'generic']);

/** The rules one pod's sidecar needs. */
export function rulesFor(spec: PodSecretsSpec, facts: SidecarFacts, mounts: readonly DeclaredMount[]): RulesResult {
  const rules: Rule[] = [];
  const problems: string[] = [];
  const add = (path: string, cap: Capability, why: string): void => void rules.push({ path, capabilities: [cap], why: [why] });
  const running = spec.lifecycle === 'sidecar';
  let leased = false;
  for (const s of spec.secrets) {
    const base = basePath(s.path);
    const mount = mountFor(base, mounts);
    if (!mount) {
      problems.push(`${s.path}: cannot tell which engine holds it; declare its mount with --mount PATH=kv1|kv2|pki|database|other`);
      continue;
    }
    add(`sys/internal/ui/mounts/${base}`, 'read', 'mount lookup (KV version)');
    const plan = planRead(s.path, mount);
    add(plan.dataPath, plan.params ? 'update' : 'read', plan.kind === 'pki' ? `issue ${s.name}` : `read ${s.name}`);
    if (plan.metadataPath && running) add(plan.metadataPath, 'read', `poll ${s.name} (KV v2 current_version)`);
    if (LEASED_KINDS.has(plan.kind)) leased = true;
  }
  add('auth/token/lookup-self', 'read', 'tell a policy denial from a revoked token');
  if (running) add('auth/token/renew-self', 'update', 'token renewal');
  if (running && facts.revokeOnShutdown) add('auth/token/revoke-self', 'update', 'token revocation on shutdown');
  if (running && leased) add('sys/leases/renew', 'update', 'lease renewal');
  if (running && leased && facts.revokeOnShutdown) add('sys/leases/revoke', 'update', 'lease revocation on shutdown');
  if (facts.auditHashDevice !== '' && leased) add(`sys/audit-hash/${facts.auditHashDevice}`, 'update', 'HMAC of lease ids for the audit trail');
  return { rules: merge(rules), problems };
}

/** One rule per path: capabilities and reasons united, paths sorted. */
export function merge(rules: readonly Rule[]): Rule[] {
  const byPath = new Map<string, Rule>();
  for (const r of rules) {
    const seen = byPath.get(r.path);
    if (!seen) byPath.set(r.path, { path: r.path, capabilities: [...r.capabilities], why: [...r.why] });
    else {
      for (const c of r.capabilities) if (!seen.capabilities.includes(c)) seen.capabilities.push(c);
      for (const w of r.why) if (!seen.why.includes(w)) seen.why.push(w);
    }
  }
  return [...byPath.values()].map((r) => ({ ...r, capabilities: [...r.capabilities].sort() })).sort((a, b) => a.path.localeCompare(b.path));
}
