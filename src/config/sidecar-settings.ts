/**
 * The settings the injector hands to every sidecar it injects, defined once. The
 * injector's config (src/config/injector.ts) and the sidecar's (src/config/sidecar.ts)
 * both validate them with these rows, so a value the injector accepts is one the sidecar
 * accepts: an operator's typo stops the injector at start-up (exit 2) instead of
 * crash-looping every injected pod. The chart's values.schema.json, values.yaml and the
 * README's settings tables are checked against these rows by test/unit/config.
 */
import type { SettingProblem } from '../errors';
import { SIDECAR_DEFAULTS, SIDECAR_ENV, SIDECAR_EXTRA_ENV } from '../sidecar-env';
import { readFields, rowField, type FieldSpec } from './env';
import { AUTH_PATH_PATTERN, boolean, durationRange, intRange, matching, oneOf, vaultAddress, vaultAuthPath, type Parse } from './validators';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const AUTH_METHODS = ['kubernetes', 'jwt'] as const;

/** One setting: names, type, default, bounds, parser, chart value and a one-line doc. */
export interface SettingRow<T = unknown> {
  /** The name in the sidecar's environment. */
  env: string;
  /** The name in the injector's environment (the same unless noted). */
  injectorEnv: string;
  type: 'url' | 'path' | 'string' | 'enum' | 'integer' | 'boolean' | 'duration';
  /** The default as text, as the docs and the chart show it; undefined: required. */
  default: string | undefined;
  /** Integer bounds, or a duration's in seconds. */
  min?: number;
  max?: number;
  choices?: readonly string[];
  /** Parses a non-empty value; throws an Error whose message never holds the value. */
  parse: Parse<T>;
  /** Where the chart takes it from, and the schema pattern that must be no wider than parse. */
  chart: { value: string; pattern?: string };
  doc: string;
}

function row<T>(r: SettingRow<T>): SettingRow<T> {
  return r;
}

/** A secret may go this long without a successful refresh before /readyz fails. */
export const STALE_AFTER = { defaultSeconds: 300, min: 10, max: 31 * 86400 } as const;

/** A DNS name whose last label starts with a letter (URL takes `vault.123` for a bad IPv4 address), or an IPv4 address. */
const HOST = '(([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\\.)*[A-Za-z]([A-Za-z0-9-]*[A-Za-z0-9])?|((25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9]))';
const PORT = '(:([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?';
const URL_PATH = '(/[A-Za-z0-9._~/-]*)?';
/** https to any host, plain http to loopback only; empty is left to the chart's "required" message. */
export const VAULT_ADDR_CHART_PATTERN = `^(https://${HOST}${PORT}${URL_PATH}|http://(127\\.0\\.0\\.1|localhost|\\[::1\\])${PORT}${URL_PATH})?$`;
const VAULT_NAMESPACE_PATTERN = '^([A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*/?)?$';
const AUDIT_DEVICE_PATTERN = '^([A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*)?$';

export const SIDECAR_SETTINGS = {
  vaultAddr: row({
    env: SIDECAR_ENV.vaultAddr, injectorEnv: SIDECAR_ENV.vaultAddr, type: 'url', default: undefined, parse: vaultAddress,
    chart: { value: 'vault.addr', pattern: VAULT_ADDR_CHART_PATTERN },
    doc: 'Vault address: `https://`, or `http://` to a loopback address only',
  }),
  vaultAuthPath: row({
    env: SIDECAR_ENV.vaultAuthPath, injectorEnv: SIDECAR_ENV.vaultAuthPath, type: 'path', default: SIDECAR_DEFAULTS.authPath, parse: vaultAuthPath,
    chart: { value: 'vault.authPath', pattern: AUTH_PATH_PATTERN },
    doc: 'auth mount, e.g. `auth/kubernetes`, `auth/jwt`; `kubernetes` (vault-k8s spelling) means `auth/kubernetes`',
  }),
  vaultAuthMethod: row({
    env: SIDECAR_ENV.vaultAuthMethod, injectorEnv: SIDECAR_ENV.vaultAuthMethod, type: 'enum', default: SIDECAR_DEFAULTS.authMethod,
    choices: AUTH_METHODS, parse: oneOf(AUTH_METHODS), chart: { value: 'vault.authMethod' },
    doc: '`kubernetes` or `jwt`',
  }),
  vaultNamespace: row({
    env: SIDECAR_ENV.vaultNamespace, injectorEnv: SIDECAR_ENV.vaultNamespace, type: 'string', default: '',
    parse: matching(VAULT_NAMESPACE_PATTERN, 'a Vault namespace path such as admin/team-a'),
    chart: { value: 'vault.namespace', pattern: VAULT_NAMESPACE_PATTERN },
    doc: 'Vault Enterprise namespace',
  }),
  healthPort: row({
    env: SIDECAR_ENV.healthPort, injectorEnv: SIDECAR_ENV.healthPort, type: 'integer', default: String(SIDECAR_DEFAULTS.healthPort),
    min: 1024, max: 65535, parse: intRange(1024, 65535), chart: { value: 'sidecar.healthPort' },
    doc: 'port of `/healthz`, `/readyz`, `/metrics` on 127.0.0.1 (the next free one when the pod uses it)',
  }),
  revokeOnShutdown: row({
    env: SIDECAR_ENV.revokeOnShutdown, injectorEnv: SIDECAR_ENV.revokeOnShutdown, type: 'boolean', default: 'true',
    parse: boolean, chart: { value: 'sidecar.revokeOnShutdown' },
    doc: 'revoke leases and token on SIGTERM',
  }),
  staleAfter: row({
    env: SIDECAR_ENV.staleAfter, injectorEnv: SIDECAR_ENV.staleAfter, type: 'duration', default: '5m',
    min: STALE_AFTER.min, max: STALE_AFTER.max, parse: staleAfter, chart: { value: 'sidecar.staleAfter' },
    doc: 'how long a secret may keep failing before `/readyz` fails: `30s`, `5m`, `1h`, or seconds; `0` means the default',
  }),
  auditHashDevice: row({
    env: SIDECAR_EXTRA_ENV.auditHashDevice, injectorEnv: SIDECAR_EXTRA_ENV.auditHashDevice, type: 'string', default: '',
    parse: matching(AUDIT_DEVICE_PATTERN, 'a Vault audit device path such as file'),
    chart: { value: 'sidecar.auditHashDevice', pattern: AUDIT_DEVICE_PATTERN },
    doc: 'Vault audit device whose `sys/audit-hash` puts `leaseIdHmac` on audit records (the policy must allow `update` on `sys/audit-hash/<device>`)',
  }),
  logLevel: row({
    env: SIDECAR_ENV.logLevel, injectorEnv: 'SIDECAR_LOG_LEVEL', type: 'enum', default: 'info',
    choices: LOG_LEVELS, parse: oneOf(LOG_LEVELS), chart: { value: 'sidecar.logLevel' },
    doc: 'sidecar log level',
  }),
} as const;

export type SidecarSettingKey = keyof typeof SIDECAR_SETTINGS;
export type SidecarSettingValues = { [K in SidecarSettingKey]: ReturnType<(typeof SIDECAR_SETTINGS)[K]['parse']> };

/** `0` is what earlier charts wrote for "the sidecar's default"; both sides read it so. */
function staleAfter(text: string): number {
  return text === '0' ? STALE_AFTER.defaultSeconds : durationRange(STALE_AFTER.min, STALE_AFTER.max)(text);
}

/**
 * Reads the table's settings from one side's environment (the injector's names or the
 * sidecar's), with the same parser and default on both sides: the good ones as values,
 * one problem per bad one.
 */
export function readSidecarSettings(
  env: Record<string, string | undefined>,
  side: 'injector' | 'sidecar',
): { values: Partial<SidecarSettingValues>; problems: SettingProblem[] } {
  const entries = Object.entries(SIDECAR_SETTINGS) as [SidecarSettingKey, SettingRow][];
  const nameOf = (r: SettingRow): string => (side === 'injector' ? r.injectorEnv : r.env);
  const specs: Record<string, FieldSpec<unknown>> = Object.fromEntries(entries.map(([, r]) => [nameOf(r), rowField(r)]));
  const { values, problems } = readFields(env, specs);
  const byKey = Object.fromEntries(entries.filter(([, r]) => nameOf(r) in values).map(([k, r]) => [k, values[nameOf(r)]]));
  return { values: byKey, problems };
}
