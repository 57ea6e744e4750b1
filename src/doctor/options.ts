/**
 * doctor's settings (pure apart from reading two files): the sidecar's own environment
 * (VAULT_ADDR, VAULT_CACERT, VAULT_AUTH_PATH, VAULT_NAMESPACE, SIDECAR_TOKEN_FILE,
 * SECRETS_BROKER_SPEC), so it runs as is in the sidecar container, with flags on top.
 */
import { readFileSync } from 'node:fs';
import { readSidecarSettings, type SidecarSettingValues } from '../config/sidecar-settings';
import { UsageError } from '../errors';
import { SIDECAR_DEFAULTS, SIDECAR_ENV } from '../sidecar-env';
import { checkRole, checkVaultPath, decodeSpec, DEFAULTS, type PodSecretsSpec } from '../spec';
import type { DoctorOptions } from './probe';

export interface DoctorFlags {
  tokenFile?: string;
  role?: string;
  secret: string[];
  timeout: string;
}

export function doctorOptions(env: Record<string, string | undefined>, flags: DoctorFlags, now: () => Date = () => new Date()): DoctorOptions {
  const settings = readSidecarSettings(env, 'sidecar');
  const problems = settings.problems.map((p) => `${p.setting}: ${p.message}`);
  const v = settings.values as SidecarSettingValues;
  const spec = specOf(env, flags, problems);
  const timeoutMs = timeoutOf(flags.timeout, problems);
  const ca = readOptional(env.VAULT_CACERT, 'VAULT_CACERT', problems);
  const jwt = jwtOf(flags.tokenFile ?? env[SIDECAR_ENV.tokenFile] ?? SIDECAR_DEFAULTS.tokenFile, problems);
  if (problems.length > 0 || !spec) throw new UsageError(problems);
  return {
    addr: v.vaultAddr, ...(ca && { ca }), authPath: v.vaultAuthPath, vaultNamespace: v.vaultNamespace, role: spec.role, jwt, spec,
    revokeOnShutdown: v.revokeOnShutdown, auditHashDevice: v.auditHashDevice, timeoutMs, now,
  };
}

function timeoutOf(text: string, problems: string[]): number {
  const ms = Number(text) * 1000;
  if (!Number.isInteger(ms) || ms < 1000 || ms > 120_000) problems.push('--timeout must be whole seconds from 1 to 120');
  return ms;
}

function jwtOf(tokenFile: string, problems: string[]): string {
  const jwt = readOptional(tokenFile, '--token-file', problems)?.toString('utf8').trim();
  if (jwt === '') problems.push(`--token-file ${tokenFile}: empty`);
  return jwt ?? '';
}

function decoded(text: string | undefined, problems: string[]): PodSecretsSpec | undefined | 'bad' {
  if (!text) return undefined;
  try {
    return decodeSpec(text);
  } catch {
    problems.push(`${SIDECAR_ENV.spec}: not a valid secrets spec`);
    return 'bad';
  }
}

/** The pod's spec, with --role and --secret over it; --secret alone makes a spec of those paths. */
function specOf(env: Record<string, string | undefined>, flags: DoctorFlags, problems: string[]): PodSecretsSpec | undefined {
  const base = decoded(env[SIDECAR_ENV.spec], problems);
  if (base === 'bad') return undefined;
  const role = flags.role ?? base?.role;
  if (role === undefined) problems.push(`no role: set --role, or run where ${SIDECAR_ENV.spec} is set (the sidecar container)`);
  else problems.push(...checkRole(role).map((p) => `--role: ${p}`));
  problems.push(...flags.secret.flatMap((p) => checkVaultPath(p).map((m) => `--secret: ${m}`)));
  if (role === undefined) return undefined;
  const given = flags.secret.map((path, i) => ({ name: `secret${i + 1}`, path, file: `secret${i + 1}`, format: DEFAULTS.format, mode: DEFAULTS.mode }));
  const fallback: PodSecretsSpec = { version: 1, role, mountPath: DEFAULTS.mountPath, lifecycle: DEFAULTS.lifecycle, rotateIntervalSeconds: DEFAULTS.rotateIntervalSeconds, notify: { kind: 'none' }, secrets: [] };
  const spec = base ?? fallback;
  return { ...spec, role, secrets: given.length > 0 ? given : spec.secrets };
}

function readOptional(file: string | undefined, name: string, problems: string[]): Buffer | undefined {
  if (file === undefined || file === '') return undefined;
  try {
    return readFileSync(file);
  } catch (err) {
    problems.push(`${name} ${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    return undefined;
  }
}
