/**
 * The sidecar's settings, parsed once at start-up from the environment the injector sets
 * (names in src/sidecar-env.ts) plus a few operator settings of its own. The spec is
 * validated again with decodeSpec. Every problem becomes one line of a ConfigError (exit 2).
 */
import { readFileSync } from 'node:fs';
import { bool, host, str } from 'envalid';
import { ConfigError } from '../errors';
import { SIDECAR_DEFAULTS, SIDECAR_ENV as E } from '../sidecar-env';
import { decodeSpec, parseDuration, SpecError, type PodSecretsSpec } from '../spec';
import type { PodIdentity } from '../audit/record';
import { parseEnv } from './env';
import { SIDECAR_EXTRA_ENV } from '../sidecar-env';

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

const duration = (def: string): ReturnType<typeof str> => str({ default: def });

export function parseSidecarConfig(env: Record<string, string | undefined>): SidecarConfig {
  const problems: string[] = [];
  const s = parseOrCollect(env, problems, {
    [E.spec]: str(),
    [E.vaultAddr]: str(),
    [E.vaultCaCert]: str({ default: '' }),
    [E.vaultAuthPath]: str({ default: SIDECAR_DEFAULTS.authPath }),
    [E.vaultAuthMethod]: str({ choices: ['kubernetes', 'jwt'], default: SIDECAR_DEFAULTS.authMethod }),
    [E.vaultNamespace]: str({ default: '' }),
    [E.tokenFile]: str({ default: SIDECAR_DEFAULTS.tokenFile }),
    [E.healthPort]: str({ default: String(SIDECAR_DEFAULTS.healthPort) }),
    [SIDECAR_EXTRA_ENV.healthBind]: host({ default: '127.0.0.1' }),
    [E.revokeOnShutdown]: bool({ default: true }),
    [E.staleAfter]: duration('5m'),
    [E.auditFile]: str({ default: '' }),
    [SIDECAR_EXTRA_ENV.auditHashDevice]: str({ default: '' }),
    [SIDECAR_EXTRA_ENV.requestTimeout]: duration('10s'),
    [SIDECAR_EXTRA_ENV.shutdownTimeout]: duration('10s'),
    [E.logLevel]: str({ choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' }),
    [E.podName]: str({ default: '' }),
    [E.podNamespace]: str({ default: '' }),
    [E.podUid]: str({ default: '' }),
    [E.nodeName]: str({ default: '' }),
    [E.serviceAccount]: str({ default: '' }),
  });
  const get = (k: string): string => {
    const v = s[k];
    return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
  };
  const seconds = (k: string, min: number): number => {
    const v = /^\d+$/.test(get(k)) ? Number(get(k)) : parseDuration(get(k));
    if (v === undefined || v < min) problems.push(`${k}: must be a duration such as 10s or 5m, at least ${min}s`);
    return v ?? 0;
  };
  const vaultAddr = checkAddr(get(E.vaultAddr), problems);
  const authPath = get(E.vaultAuthPath).replace(/^\/+|\/+$/g, '');
  if (!/^auth\/[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(authPath)) problems.push(`${E.vaultAuthPath}: must be an auth mount such as auth/kubernetes`);
  const device = get(SIDECAR_EXTRA_ENV.auditHashDevice);
  if (device && !/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(device)) problems.push(`${SIDECAR_EXTRA_ENV.auditHashDevice}: must be an audit device path`);
  const cfg: SidecarConfig = {
    spec: decode(get(E.spec), problems),
    vaultAddr,
    vaultCa: readCa(get(E.vaultCaCert), problems),
    vaultNamespace: get(E.vaultNamespace) || undefined,
    authPath,
    authMethod: get(E.vaultAuthMethod) as 'kubernetes' | 'jwt',
    tokenFile: get(E.tokenFile),
    healthPort: healthPort(get(E.healthPort), problems),
    healthBind: get(SIDECAR_EXTRA_ENV.healthBind),
    revokeOnShutdown: s[E.revokeOnShutdown] !== false && s[E.revokeOnShutdown] !== 'false',
    staleAfterSeconds: seconds(E.staleAfter, 10),
    auditFile: get(E.auditFile) || undefined,
    auditHashDevice: device || undefined,
    requestTimeoutMs: seconds(SIDECAR_EXTRA_ENV.requestTimeout, 1) * 1000,
    shutdownTimeoutMs: seconds(SIDECAR_EXTRA_ENV.shutdownTimeout, 1) * 1000,
    logLevel: get(E.logLevel),
    pod: {
      namespace: get(E.podNamespace),
      name: get(E.podName),
      ...(get(E.podUid) && { uid: get(E.podUid) }),
      ...(get(E.serviceAccount) && { serviceAccount: get(E.serviceAccount) }),
      ...(get(E.nodeName) && { node: get(E.nodeName) }),
    },
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return cfg;
}

type Schema = Parameters<typeof parseEnv>[1];

/** envalid's problems are collected with ours so one run names every bad setting. */
function parseOrCollect(env: Record<string, string | undefined>, problems: string[], schema: Schema): Record<string, unknown> {
  try {
    return parseEnv(env, schema);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
    // Keep checking the rest with defaults, so one run names every problem once.
    const defaults = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, (v as { default?: unknown }).default]));
    const given = Object.fromEntries(Object.entries(env).filter(([k]) => !err.problems.some((p) => p.startsWith(`${k}:`))));
    return { ...defaults, ...given };
  }
}

/** 0 picks a free port (tests); otherwise 1-65535. */
function healthPort(text: string, problems: string[]): number {
  const n = Number(text);
  if (!/^\d{1,5}$/.test(text) || n > 65535) problems.push(`${E.healthPort}: must be a port number (0-65535)`);
  return n;
}

/** https always; plain http only to a loopback address (tests, a local dev Vault). */
function checkAddr(text: string, problems: string[]): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    problems.push(`${E.vaultAddr}: must be a URL such as https://vault.vault.svc:8200`);
    return '';
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) problems.push(`${E.vaultAddr}: must use https (plain http only to a loopback address)`);
  if (url.username || url.password || url.search || url.hash) problems.push(`${E.vaultAddr}: must not carry credentials, a query or a fragment`);
  return text.replace(/\/+$/, '');
}

function readCa(file: string, problems: string[]): Buffer | undefined {
  if (!file) return undefined;
  try {
    const pem = readFileSync(file);
    if (!pem.toString('utf8').includes('-----BEGIN CERTIFICATE-----')) problems.push(`${E.vaultCaCert}: ${file} holds no PEM certificate`);
    return pem;
  } catch (err) {
    problems.push(`${E.vaultCaCert}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    return undefined;
  }
}

function decode(text: string, problems: string[]): PodSecretsSpec {
  if (text === '') {
    if (!problems.some((p) => p.startsWith(`${E.spec}:`))) problems.push(`${E.spec}: required setting is missing`);
    return undefined as unknown as PodSecretsSpec;
  }
  try {
    return decodeSpec(text);
  } catch (err) {
    if (err instanceof SpecError) problems.push(...err.problems.map((p) => `${E.spec}: ${p}`));
    else throw err;
    return undefined as unknown as PodSecretsSpec;
  }
}
