/**
 * One least-privilege policy and one auth role per Vault role (pure): the rules of every
 * injected pod that logs in with the role, united, and the service accounts and
 * namespaces those pods run as.
 */
import type { SidecarSettings } from '../config/injector';
import type { Explanation } from '../explain/explain';
import type { DeclaredMount } from './mounts';
import { merge, rulesFor, type Rule } from './rules';

/** The name of the policy generated for a role. */
export const policyName = (role: string): string => `secrets-broker-${role}`;

export interface RolePolicy {
  role: string;
  policy: string;
  rules: Rule[];
  serviceAccounts: string[];
  namespaces: string[];
  /** `system:serviceaccount:<namespace>:<name>` of each pod: the exact pairs, where the auth method can bind them (jwt). */
  subjects: string[];
  /** The pods' labels, for the comment that says where the policy comes from. */
  objects: string[];
}

export interface PoliciesResult {
  roles: RolePolicy[];
  problems: string[];
}

export function rolePolicies(explained: readonly Explanation[], s: Pick<SidecarSettings, 'revokeOnShutdown' | 'auditHashDevice'>, mounts: readonly DeclaredMount[]): PoliciesResult {
  const byRole = new Map<string, RolePolicy>();
  const problems: string[] = [];
  for (const e of explained) {
    if (e.outcome !== 'inject') continue;
    const spec = e.added.spec;
    const r = rulesFor(spec, s, mounts);
    problems.push(...r.problems.map((p) => `${e.template.label}: ${p}`));
    const entry = byRole.get(spec.role) ?? { role: spec.role, policy: policyName(spec.role), rules: [], serviceAccounts: [], namespaces: [], subjects: [], objects: [] };
    entry.rules = merge([...entry.rules, ...r.rules]);
    const sa = e.mutated.spec.serviceAccountName ?? 'default';
    addOnce(entry.serviceAccounts, sa);
    addOnce(entry.subjects, `system:serviceaccount:${e.template.namespace}:${sa}`);
    addOnce(entry.namespaces, e.template.namespace);
    addOnce(entry.objects, e.template.label);
    byRole.set(spec.role, entry);
  }
  return { roles: [...byRole.values()].sort((a, b) => a.role.localeCompare(b.role)), problems };
}

function addOnce(list: string[], value: string): void {
  if (!list.includes(value)) list.push(value);
}
