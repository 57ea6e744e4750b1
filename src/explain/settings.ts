/**
 * The operator's settings for explain and policy (pure): the environment, as the injector
 * reads it, with `--set NAME=VALUE` on top. The settings that only concern the webhook's
 * HTTPS server are not needed to decide anything, so explain fills them when absent; every
 * other required setting (VAULT_ADDR, SIDECAR_IMAGE) must be given, as for the injector.
 */
import { INJECTOR_SETTING_NAMES, loadInjectorConfig, type InjectorConfig } from '../config/injector';
import { UsageError } from '../errors';

/** Server-only settings with no part in a decision, and the value explain uses when they are absent. */
export const SERVER_ONLY_SETTINGS: Readonly<Record<string, string>> = {
  INJECTOR_TLS_CERT_FILE: 'unused-by-explain.crt',
  INJECTOR_TLS_KEY_FILE: 'unused-by-explain.key',
};

/** Parses `--set` pairs; a name that is not an injector setting is a usage error. */
export function parseSets(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const problems: string[] = [];
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const name = eq > 0 ? pair.slice(0, eq) : '';
    if (!INJECTOR_SETTING_NAMES.includes(name)) problems.push(`--set ${eq > 0 ? name : '(no NAME=)'}: not an injector setting (see the README's settings table)`);
    else out[name] = pair.slice(eq + 1);
  }
  if (problems.length > 0) throw new UsageError(problems);
  return out;
}

/**
 * The injector's config from the environment (or, when given, the settings read off the
 * injector's Deployment instead) and the `--set` values; throws ConfigError naming every
 * bad or missing setting.
 */
export function explainConfig(env: Record<string, string | undefined>, sets: Record<string, string>): InjectorConfig {
  const merged: Record<string, string | undefined> = { ...env, ...sets };
  for (const [name, value] of Object.entries(SERVER_ONLY_SETTINGS)) if (merged[name] === undefined || merged[name] === '') merged[name] = value;
  return loadInjectorConfig(merged);
}
