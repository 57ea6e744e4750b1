/**
 * The sidecar's settings, parsed once at start-up from the environment the injector sets.
 * What the injector hands over is read with the rows of SIDECAR_SETTINGS, the same parsers
 * the injector validated them with (src/config/sidecar-settings.ts); the few settings of
 * the sidecar's own are below. The spec is validated again with decodeSpec. Every problem
 * becomes one entry of a ConfigError naming its setting (exit 2).
 */
import { readFileSync } from 'node:fs';
import { ConfigError, SpecError, type SettingProblem } from '../errors';
import { SIDECAR_DEFAULTS, SIDECAR_ENV as E, SIDECAR_EXTRA_ENV } from '../sidecar-env';
import { decodeSpec, type PodSecretsSpec } from '../spec';
import type { PodIdentity } from '../audit/record';
import { MISSING, readFields, type FieldSpec } from './env';
import { readSidecarSettings, type SidecarSettingValues } from './sidecar-settings';
import { durationRange, matching } from './validators';

export { SIDECAR_EXTRA_ENV };

export interface SidecarConfig {
  spec: PodSecretsSpec;
  vaultAddr: string;
  vaultCa?: Buffer;
  vaultNamespace?: string;
  authPath: string;
  authMethod: 'kubernetes' | 'jwt';
  tokenFile: string;
  healthPort: number;
  healthBind: string;
  revokeOnShutdown: boolean;
  staleAfterSeconds: number;
  auditFile?: string;
  auditHashDevice?: string;
  requestTimeoutMs: number;
  shutdownTimeoutMs: number;
  logLevel: string;
  pod: PodIdentity;
}

/** A sidecar-only setting: parser, default as text, one-line doc (README "Sidecar" table). */
export interface OwnSetting<T> extends FieldSpec<T> {
  doc: string;
}

const text = (doc: string, def = ''): OwnSetting<string> => ({ parse: (t) => t, default: def, doc });

/** Settings the injector does not take from the operator: fixed by the injector, or for running the sidecar by hand. */
export const SIDECAR_OWN_SETTINGS = {
  [E.vaultCaCert]: text('PEM CA bundle for Vault\'s certificate (the injector mounts the configured CA)'),
  [E.tokenFile]: text('projected service-account token, re-read at every login', SIDECAR_DEFAULTS.tokenFile),
  [SIDECAR_EXTRA_ENV.healthBind]: {
    parse: matching('^[A-Za-z0-9.:-]{1,255}$', 'a host name or IP address'),
    default: '127.0.0.1',
    doc: 'address the health server binds',
  },
  [SIDECAR_EXTRA_ENV.requestTimeout]: { parse: durationRange(1, 3600), default: '10s', doc: 'total time for one Vault request, connect to last byte' },
  [SIDECAR_EXTRA_ENV.shutdownTimeout]: { parse: durationRange(1, 3600), default: '10s', doc: 'upper bound for revocation and flushing after SIGTERM' },
  [E.auditFile]: text('also append audit records to this file'),
  [E.podName]: text('pod identity for audit records (downward API)'),
  [E.podNamespace]: text('pod identity for audit records (downward API)'),
  [E.podUid]: text('pod identity for audit records (downward API)'),
  [E.nodeName]: text('pod identity for audit records (downward API)'),
  [E.serviceAccount]: text('pod identity for audit records (downward API)'),
} satisfies Record<string, OwnSetting<unknown>>;

/** Outside a pod the sidecar may take any free port (`0`); the injector never hands it 0 (its start gate needs the port). */
const ANY_PORT = '0';

export function parseSidecarConfig(env: Record<string, string | undefined>): SidecarConfig {
  const anyPort = env[E.healthPort] === ANY_PORT;
  const table = readSidecarSettings(anyPort ? { ...env, [E.healthPort]: undefined } : env, 'sidecar');
  const own = readFields(env, SIDECAR_OWN_SETTINGS);
  const problems: SettingProblem[] = [...table.problems, ...own.problems];
  const t = table.values as SidecarSettingValues;
  const o = own.values as Required<typeof own.values>;
  const spec = decode(env[E.spec], problems);
  const vaultCa = readCa(o[E.vaultCaCert] ?? '', problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    spec,
    vaultAddr: t.vaultAddr,
    vaultCa,
    vaultNamespace: t.vaultNamespace || undefined,
    authPath: t.vaultAuthPath,
    authMethod: t.vaultAuthMethod,
    tokenFile: o[E.tokenFile],
    healthPort: anyPort ? 0 : t.healthPort,
    healthBind: o[SIDECAR_EXTRA_ENV.healthBind],
    revokeOnShutdown: t.revokeOnShutdown,
    staleAfterSeconds: t.staleAfter,
    auditFile: o[E.auditFile] || undefined,
    auditHashDevice: t.auditHashDevice || undefined,
    requestTimeoutMs: o[SIDECAR_EXTRA_ENV.requestTimeout] * 1000,
    shutdownTimeoutMs: o[SIDECAR_EXTRA_ENV.shutdownTimeout] * 1000,
    logLevel: t.logLevel,
    pod: {
      namespace: o[E.podNamespace],
      name: o[E.podName],
      ...(o[E.podUid] && { uid: o[E.podUid] }),
      ...(o[E.serviceAccount] && { serviceAccount: o[E.serviceAccount] }),
      ...(o[E.nodeName] && { node: o[E.nodeName] }),
    },
  };
}

/** The CA file is read here, once: a missing or non-PEM file is a settings problem (the path is not echoed). */
function readCa(file: string, problems: SettingProblem[]): Buffer | undefined {
  if (!file) return undefined;
  try {
    const pem = readFileSync(file);
    if (!pem.toString('utf8').includes('-----BEGIN CERTIFICATE-----')) problems.push({ setting: E.vaultCaCert, message: 'the file holds no PEM certificate' });
    return pem;
  } catch (err) {
    problems.push({ setting: E.vaultCaCert, message: `cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})` });
    return undefined;
  }
}

/** One problem per spec problem, each naming SECRETS_BROKER_SPEC. */
function decode(text: string | undefined, problems: SettingProblem[]): PodSecretsSpec {
  if (text === undefined || text === '') {
    problems.push({ setting: E.spec, message: MISSING });
    return undefined as unknown as PodSecretsSpec;
  }
  try {
    return decodeSpec(text);
  } catch (err) {
    if (!(err instanceof SpecError)) throw err;
    problems.push(...err.problems.map((message) => ({ setting: E.spec, message })));
    return undefined as unknown as PodSecretsSpec;
  }
}
