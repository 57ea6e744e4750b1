/** policy's outputs (pure): a shell script of `vault` commands, or the same as API payloads in JSON. */
import type { SidecarSettings } from '../config/injector';
import type { RolePolicy } from './roles';

export const POLICY_FORMATS = ['hcl', 'json'] as const;

type AuthSettings = Pick<SidecarSettings, 'vaultAuthPath' | 'vaultAuthMethod' | 'tokenAudience'>;

/** The policy document in HCL, a comment naming the operations each rule serves. */
export function policyHcl(r: RolePolicy): string {
  return r.rules.map((rule) => `# ${rule.why.join('; ')}\npath "${rule.path}" {\n  capabilities = [${rule.capabilities.map((c) => `"${c}"`).join(', ')}]\n}\n`).join('\n');
}

/** The auth role's write payload: pods of these service accounts in these namespaces, this audience, this policy only. */
export function authRolePayload(r: RolePolicy, s: AuthSettings): Record<string, unknown> {
  const common = { token_policies: [r.policy], token_no_default_policy: true };
  if (s.vaultAuthMethod === 'jwt') {
    return { role_type: 'jwt', user_claim: 'sub', bound_audiences: [s.tokenAudience], bound_claims: { sub: r.subjects }, ...common };
  }
  return { bound_service_account_names: r.serviceAccounts, bound_service_account_namespaces: r.namespaces, audience: s.tokenAudience, ...common };
}

const authRolePath = (r: RolePolicy, s: AuthSettings): string => `${s.vaultAuthPath}/role/${r.role}`;

/** `--format hcl`: a script that writes each policy and role with the vault CLI. */
export function formatScript(roles: readonly RolePolicy[], s: AuthSettings): string {
  return roles
    .map((r) => {
      const payload = authRolePayload(r, s);
      const args = Object.entries(payload).map(([k, v]) => `  ${k}=${shellWord(cliValue(v))}`);
      const cross = s.vaultAuthMethod !== 'jwt' && r.serviceAccounts.length > 1 && r.namespaces.length > 1 ? ['# Vault binds every service account listed here in every namespace listed here.'] : [];
      return [
        `# Vault role ${r.role}: ${r.objects.join(', ')}`,
        `vault policy write ${r.policy} - <<'POLICY'`,
        policyHcl(r).trimEnd(),
        'POLICY',
        ...cross,
        `vault write ${authRolePath(r, s)} \\`,
        args.join(' \\\n'),
        '',
      ].join('\n');
    })
    .join('\n');
}

/** `--format json`: the API payloads, for Terraform or a script. */
export function formatJson(roles: readonly RolePolicy[], s: AuthSettings): string {
  const out = roles.map((r) => ({
    role: r.role,
    policy: { name: r.policy, path: `sys/policies/acl/${r.policy}`, payload: { policy: policyHcl(r) }, rules: r.rules },
    authRole: { path: authRolePath(r, s), payload: authRolePayload(r, s) },
  }));
  return `${JSON.stringify(out, null, 2)}\n`;
}

/** How the vault CLI takes a value: lists comma-separated, objects as JSON. */
function cliValue(v: unknown): string {
  if (Array.isArray(v)) return v.join(',');
  return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
}

/** Role, namespace and service-account names are DNS names; quote anything else for the shell. */
function shellWord(v: string): string {
  return /^[A-Za-z0-9_.,:/=-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`;
}
