/**
 * The injector's settings: operator-only, read once at start-up from the environment
 * (the Helm chart sets them) and passed down as one InjectorConfig. Nothing in a pod
 * can change any of them.
 */
import { makeValidator, port, str } from 'envalid';
import { ConfigError, ValueError, type SettingProblem } from '../errors';
import type { SidecarResources } from '../pod-resources';
import { AUDIT_ENV, parseAuditEnv, type AuditSettings } from './audit';
import { parseEnv, sortProblems } from './env';
import { LOG_LEVELS, readSidecarSettings, SIDECAR_SETTINGS, STALE_AFTER, type SidecarSettingValues } from './sidecar-settings';
import { intRange } from './validators';

export const LITERAL_POLICIES = ['off', 'warn', 'deny'] as const;
export type LiteralPolicy = (typeof LITERAL_POLICIES)[number];
export const SIDECAR_MODES = ['native', 'classic'] as const;
export type SidecarMode = (typeof SIDECAR_MODES)[number];

/** Namespaces the injector never injects into, whatever the settings say. */
export const ALWAYS_EXCLUDED_NAMESPACES = ['kube-system', 'kube-public'] as const;
/** The kubelet refuses projected tokens that expire sooner than this. */
export const MIN_TOKEN_EXPIRY_SECONDS = 600;

const quantity = makeValidator<string>((v) => {
  if (!/^[0-9]+(\.[0-9]+)?(m|k|M|G|Ki|Mi|Gi)?$/.test(v)) throw new ValueError('must be a Kubernetes quantity such as 100m or 64Mi');
  return v;
});
const optionalQuantity = makeValidator<string>((v) => {
  if (v !== '' && !/^[0-9]+(\.[0-9]+)?(m|k|M|G|Ki|Mi|Gi)?$/.test(v)) throw new ValueError('must be empty or a Kubernetes quantity');
  return v;
});
const dnsList = makeValidator<string[]>((v) => {
  const list = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (list.some((s) => !/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(s))) throw new ValueError('must be a comma list of namespace names');
  return list;
});
const dnsName = makeValidator<string>((v) => {
  if (v !== '' && !/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/.test(v)) throw new ValueError('must be empty or a Kubernetes object name');
  return v;
});
/** Empty: unset, read as 0 (the platform picks the user, as OpenShift's restricted SCC does); else a uid. */
const UNSET_UID = 0;
const optionalUid = makeValidator<number>((v) => (v === '' ? UNSET_UID : intRange(1, 2147483647)(v)));
const intBetween = (min: number, max: number): ReturnType<typeof makeValidator<number>> => makeValidator<number>(intRange(min, max));
/** The most worker processes INJECTOR_WORKERS may ask for; `auto` takes at most MAX_AUTO_WORKERS (memory grows with each). */
export const MAX_WORKERS = 64;
export const MAX_AUTO_WORKERS = 8;
const workerCount = makeValidator<number | 'auto'>((v) => {
  if (v === 'auto') return v;
  try {
    return intRange(1, MAX_WORKERS)(v);
  } catch {
    throw new ValueError(`must be auto or a whole number from 1 to ${MAX_WORKERS}`);
  }
});
const image = makeValidator<string>((v) => {
  if (!/^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,511}$/.test(v)) throw new ValueError('must be an image reference');
  return v;
});

/**
 * The envalid schema of the injector's own settings, one entry per setting with its
 * default. The settings it hands to the sidecar are rows of SIDECAR_SETTINGS instead
 * (src/config/sidecar-settings.ts), read with the sidecar's own parsers.
 */
export const INJECTOR_SCHEMA = {
  INJECTOR_PORT: port({ default: 8443 }),
  INJECTOR_BIND_ADDRESS: str({ default: '0.0.0.0' }),
  INJECTOR_TLS_CERT_FILE: str(),
  INJECTOR_TLS_KEY_FILE: str(),
  INJECTOR_TLS_RELOAD_SECONDS: intBetween(1, 3600)({ default: 10 }),
  INJECTOR_NAMESPACE: dnsName({ default: 'secrets-broker' }),
  INJECTOR_EXCLUDE_NAMESPACES: dnsList({ default: [] }),
  INJECTOR_LITERAL_SECRETS: str({ choices: LITERAL_POLICIES, default: 'warn' }),
  INJECTOR_SIDECAR_MODE: str({ choices: SIDECAR_MODES, default: 'native' }),
  INJECTOR_LOG_LEVEL: str({ choices: LOG_LEVELS, default: 'info' }),
  INJECTOR_AUDIT_FILE: str({ default: '' }),
  /** Server processes: `auto` (the container's CPU limit, else the CPUs it may use; injector/workers.ts) or 1 to MAX_WORKERS. */
  INJECTOR_WORKERS: workerCount({ default: 'auto' }),
  INJECTOR_VAULT_CA_CONFIGMAP: dnsName({ default: '' }),
  INJECTOR_VAULT_CA_SECRET: dnsName({ default: '' }),
  INJECTOR_VAULT_CA_KEY: str({ default: 'ca.crt' }),
  SIDECAR_IMAGE: image(),
  SIDECAR_IMAGE_PULL_POLICY: str({ choices: ['Always', 'IfNotPresent', 'Never'], default: 'IfNotPresent' }),
  SIDECAR_TMPFS_SIZE: quantity({ default: '16Mi' }),
  SIDECAR_TOKEN_AUDIENCE: str({ default: 'vault' }),
  SIDECAR_TOKEN_EXPIRY_SECONDS: intBetween(MIN_TOKEN_EXPIRY_SECONDS, 86400)({ default: MIN_TOKEN_EXPIRY_SECONDS }),
  SIDECAR_CPU_REQUEST: quantity({ default: '25m' }),
  SIDECAR_MEMORY_REQUEST: quantity({ default: '48Mi' }),
  SIDECAR_CPU_LIMIT: optionalQuantity({ default: '' }),
  SIDECAR_MEMORY_LIMIT: optionalQuantity({ default: '128Mi' }),
  /** The largest sidecar resources a pod may ask for with its annotations (cpu-request ...); the defaults above are not bounded by them. */
  SIDECAR_MAX_CPU_REQUEST: quantity({ default: '500m' }),
  SIDECAR_MAX_MEMORY_REQUEST: quantity({ default: '256Mi' }),
  SIDECAR_MAX_CPU_LIMIT: quantity({ default: '1' }),
  SIDECAR_MAX_MEMORY_LIMIT: quantity({ default: '512Mi' }),
  SIDECAR_RUN_AS_USER: optionalUid({ default: 65530 }),
  SIDECAR_FILE_GROUP: intBetween(1, 2147483647)({ default: 65530 }),
};

/** Every setting the injector reads: its own, then those it hands to the sidecar (the audit settings are src/config/audit.ts). */
export const INJECTOR_SETTING_NAMES: readonly string[] = [...Object.keys(INJECTOR_SCHEMA), ...Object.values(SIDECAR_SETTINGS).map((r) => r.injectorEnv)];

/** Everything the sidecar container gets from the operator, never from the pod. */
export interface SidecarSettings {
  image: string;
  imagePullPolicy: string;
  vaultAddr: string;
  vaultAuthPath: string;
  vaultAuthMethod: string;
  vaultNamespace: string;
  /** Where the Vault CA comes from, if anywhere: a ConfigMap or Secret in the pod's namespace. */
  vaultCa?: { kind: 'configMap' | 'secret'; name: string; key: string };
  mode: SidecarMode;
  tmpfsSize: string;
  tokenAudience: string;
  tokenExpirySeconds: number;
  /** The sidecar's resources when the pod asks for none. */
  resources: SidecarResources;
  /** The largest resources a pod may ask for (annotations `cpu-request` ...). */
  maxResources: SidecarResources;
  /** The sidecar's user; undefined: the platform's (the pod's runAsUser, or what its admission assigns). */
  runAsUser: number | undefined;
  /** The group the files belong to when the pod names none (see plan.ts). */
  fileGroup: number;
  healthPort: number;
  revokeOnShutdown: boolean;
  /** 0: the table's default (SIDECAR_STALE_AFTER is then left out of the pod; the sidecar applies the same default). */
  staleAfterSeconds: number;
  /** Vault audit device whose HMAC the sidecar puts on lease ids (`sys/audit-hash/<device>`); empty: none. */
  auditHashDevice: string;
  logLevel: string;
  /** The start-up snapshot the sidecar's node starts from (src/start/decide.ts); undefined: none. */
  startSnapshot?: string;
}

export interface InjectorConfig {
  port: number;
  bindAddress: string;
  tlsCertFile: string;
  tlsKeyFile: string;
  tlsReloadSeconds: number;
  ownNamespace: string;
  excludedNamespaces: string[];
  literalSecrets: LiteralPolicy;
  logLevel: string;
  /** Server processes; `auto` is resolved at start-up from the CPU limit (injector/workers.ts). */
  workers: number | 'auto';
  /** Audit file, rotation and checkpoint settings (src/config/audit.ts); INJECTOR_AUDIT_FILE names the file. */
  audit: AuditSettings;
  sidecar: SidecarSettings;
}

/** Parses and validates the settings; throws ConfigError naming every bad one. */
export function loadInjectorConfig(env: Record<string, string | undefined>): InjectorConfig {
  const problems: SettingProblem[] = [];
  const collect = <T>(parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems);
      return undefined;
    }
  };
  const e = collect(() => parseEnv(env, INJECTOR_SCHEMA));
  const audit = collect(() => parseAuditEnv({ ...env, [AUDIT_ENV.file]: env.INJECTOR_AUDIT_FILE ?? env[AUDIT_ENV.file] }));
  const handed = readSidecarSettings(env, 'injector');
  problems.push(...handed.problems);
  if (e && e.INJECTOR_VAULT_CA_CONFIGMAP !== '' && e.INJECTOR_VAULT_CA_SECRET !== '') {
    problems.push({ setting: 'INJECTOR_VAULT_CA_SECRET', message: 'cannot be combined with INJECTOR_VAULT_CA_CONFIGMAP; set one' });
  }
  if (!e || !audit || problems.length > 0) throw new ConfigError(sortProblems(problems));
  return {
    port: e.INJECTOR_PORT,
    bindAddress: e.INJECTOR_BIND_ADDRESS,
    tlsCertFile: e.INJECTOR_TLS_CERT_FILE,
    tlsKeyFile: e.INJECTOR_TLS_KEY_FILE,
    tlsReloadSeconds: e.INJECTOR_TLS_RELOAD_SECONDS,
    ownNamespace: e.INJECTOR_NAMESPACE,
    excludedNamespaces: e.INJECTOR_EXCLUDE_NAMESPACES,
    literalSecrets: e.INJECTOR_LITERAL_SECRETS,
    logLevel: e.INJECTOR_LOG_LEVEL,
    workers: e.INJECTOR_WORKERS,
    audit,
    sidecar: sidecarSettings(e, handed.values as SidecarSettingValues),
  };
}

function sidecarSettings(e: ReturnType<typeof parseEnv<typeof INJECTOR_SCHEMA>>, h: SidecarSettingValues): SidecarSettings {
  const limits: Record<string, string> = {};
  if (e.SIDECAR_CPU_LIMIT !== '') limits.cpu = e.SIDECAR_CPU_LIMIT;
  if (e.SIDECAR_MEMORY_LIMIT !== '') limits.memory = e.SIDECAR_MEMORY_LIMIT;
  const caName = e.INJECTOR_VAULT_CA_CONFIGMAP || e.INJECTOR_VAULT_CA_SECRET;
  return {
    image: e.SIDECAR_IMAGE,
    imagePullPolicy: e.SIDECAR_IMAGE_PULL_POLICY,
    vaultAddr: h.vaultAddr,
    vaultAuthPath: h.vaultAuthPath,
    vaultAuthMethod: h.vaultAuthMethod,
    vaultNamespace: h.vaultNamespace,
    ...(caName !== '' && {
      vaultCa: { kind: e.INJECTOR_VAULT_CA_CONFIGMAP ? 'configMap' : 'secret', name: caName, key: e.INJECTOR_VAULT_CA_KEY },
    }),
    mode: e.INJECTOR_SIDECAR_MODE,
    tmpfsSize: e.SIDECAR_TMPFS_SIZE,
    tokenAudience: e.SIDECAR_TOKEN_AUDIENCE,
    tokenExpirySeconds: e.SIDECAR_TOKEN_EXPIRY_SECONDS,
    resources: { requests: { cpu: e.SIDECAR_CPU_REQUEST, memory: e.SIDECAR_MEMORY_REQUEST }, limits },
    maxResources: {
      requests: { cpu: e.SIDECAR_MAX_CPU_REQUEST, memory: e.SIDECAR_MAX_MEMORY_REQUEST },
      limits: { cpu: e.SIDECAR_MAX_CPU_LIMIT, memory: e.SIDECAR_MAX_MEMORY_LIMIT },
    },
    runAsUser: e.SIDECAR_RUN_AS_USER === UNSET_UID ? undefined : e.SIDECAR_RUN_AS_USER,
    fileGroup: e.SIDECAR_FILE_GROUP,
    healthPort: h.healthPort,
    revokeOnShutdown: h.revokeOnShutdown,
    staleAfterSeconds: h.staleAfter === STALE_AFTER.defaultSeconds ? 0 : h.staleAfter,
    auditHashDevice: h.auditHashDevice,
    logLevel: h.logLevel,
  };
}
