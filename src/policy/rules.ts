/**
 * The Vault calls a sidecar makes for one pod's spec, as policy rules (pure). Each rule
 * names the sidecar operation that needs it. The calls are those of src/vault/client.ts
 * as src/sidecar drives them: the read of each secret (planRead, the sidecar's own path
 * plan), the KV v2 metadata poll, token renew/lookup/revoke, lease renew/revoke, and the
 * audit-device HMAC. Nothing comes from Vault's default policy: the auth role sets
 * token_no_default_policy.
 */
import type { PodSecretsSpec, SecretSpec } from '../spec';
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
  const running = spec.lifecycle === 'sidecar';
  const reads = spec.secrets.map((s) => secretRules(s, running, mounts));
  const leased = reads.some((r) => r.leased);
  const ops: [boolean, string, Capability, string][] = [
    [true, 'auth/token/lookup-self', 'read', 'tell a policy denial from a revoked token'],
    [running, 'auth/token/renew-self', 'update', 'token renewal'],
    [running && facts.revokeOnShutdown, 'auth/token/revoke-self', 'update', 'token revocation on shutdown'],
    [running && leased, 'sys/leases/renew', 'update', 'lease renewal'],
    [running && leased && facts.revokeOnShutdown, 'sys/leases/revoke', 'update', 'lease revocation on shutdown'],
    [facts.auditHashDevice !== '' && leased, `sys/audit-hash/${facts.auditHashDevice}`, 'update', 'HMAC of lease ids for the audit trail'],
  ];
  const token = ops.filter(([needed]) => needed).map(([, path, cap, why]) => rule(path, cap, why));
  return { rules: merge([...reads.flatMap((r) => r.rules), ...token]), problems: reads.flatMap((r) => r.problems) };
}

function rule(path: string, cap: Capability, why: string): Rule {
  return { path, capabilities: [cap], why: [why] };
}

/** The mount lookup, the read (or PKI issue) and, while running, the KV v2 poll of one secret. */
function secretRules(s: SecretSpec, running: boolean, mounts: readonly DeclaredMount[]): { rules: Rule[]; problems: string[]; leased: boolean } {
  const base = basePath(s.path);
  const mount = mountFor(base, mounts);
  if (!mount) return { rules: [], leased: false, problems: [`${s.path}: cannot tell which engine holds it; declare its mount with --mount PATH=kv1|kv2|pki|database|other`] };
  const plan = planRead(s.path, mount);
  // The mount lookup (sys/internal/ui/mounts/<path>) needs no rule: Vault answers it for any token that can use the mount.
  const rules = [
    rule(plan.dataPath, plan.params ? 'update' : 'read', plan.kind === 'pki' ? `issue ${s.name}` : `read ${s.name}`),
    ...(plan.metadataPath && running ? [rule(plan.metadataPath, 'read', `poll ${s.name} (KV v2 current_version)`)] : []),
  ];
  return { rules, problems: [], leased: LEASED_KINDS.has(plan.kind) };
}

/** One rule per path: capabilities and reasons united, paths sorted. */
export function merge(rules: readonly Rule[]): Rule[] {
  const byPath = new Map<string, Rule>();
  for (const r of rules) {
    const seen = byPath.get(r.path) ?? { path: r.path, capabilities: [], why: [] };
    byPath.set(r.path, { path: r.path, capabilities: union(seen.capabilities, r.capabilities), why: union(seen.why, r.why) });
  }
  return [...byPath.values()].map((r) => ({ ...r, capabilities: [...r.capabilities].sort() })).sort((a, b) => a.path.localeCompare(b.path));
}

function union<T>(a: readonly T[], b: readonly T[]): T[] {
  return [...new Set([...a, ...b])];
}
