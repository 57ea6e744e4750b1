/**
 * The environment the injector gives the sidecar container: the names are shared so
 * the two sides cannot drift. The operator settings among them are rows of
 * SIDECAR_SETTINGS (src/config/sidecar-settings.ts: type, default, bounds, parser), which
 * the injector and the sidecar (src/config/sidecar.ts) both validate with; the sidecar
 * validates the spec again.
 */
export const SIDECAR_ENV = {
  /** The encoded PodSecretsSpec (src/spec.ts). */
  spec: 'SECRETS_BROKER_SPEC',
  /** Operator settings, copied from the injector's own settings. */
  vaultAddr: 'VAULT_ADDR',
  /** Path of a PEM CA bundle inside the sidecar container (mounted by the injector when set). */
  vaultCaCert: 'VAULT_CACERT',
  /** Vault auth mount, `auth/kubernetes` by default, or a JWT mount such as `auth/jwt`. */
  vaultAuthPath: 'VAULT_AUTH_PATH',
  /** `kubernetes` or `jwt`. */
  vaultAuthMethod: 'VAULT_AUTH_METHOD',
  /** Vault Enterprise namespace, optional. */
  vaultNamespace: 'VAULT_NAMESPACE',
  /** The projected service-account token, re-read at every login. */
  tokenFile: 'SIDECAR_TOKEN_FILE',
  /** Port of /healthz, /readyz and /metrics, bound to 127.0.0.1 (the start gate and `sidecar --probe` use it). */
  healthPort: 'SIDECAR_HEALTH_PORT',
  /** `true` (default) revokes the token and leases on SIGTERM. */
  revokeOnShutdown: 'SIDECAR_REVOKE_ON_SHUTDOWN',
  /** How long a secret may go without a successful refresh before /readyz fails (`5m`, or seconds). */
  staleAfter: 'SIDECAR_STALE_AFTER',
  /** Optional audit file (JSON Lines) besides stdout. */
  auditFile: 'SIDECAR_AUDIT_FILE',
  logLevel: 'LOG_LEVEL',
  /** Pod identity, from the downward API. */
  podName: 'POD_NAME',
  podNamespace: 'POD_NAMESPACE',
  podUid: 'POD_UID',
  nodeName: 'NODE_NAME',
  serviceAccount: 'SERVICE_ACCOUNT',
} as const;

/** Sidecar settings that only operators set (through the injector's settings or the sidecar's own environment). */
export const SIDECAR_EXTRA_ENV = {
  /** Address the health server binds; 127.0.0.1 per the contract. */
  healthBind: 'SIDECAR_HEALTH_BIND',
  /** Vault audit device used to HMAC lease ids for audit records (`sys/audit-hash/<device>`). */
  auditHashDevice: 'SIDECAR_AUDIT_HASH_DEVICE',
  /** Total time for one Vault request. */
  requestTimeout: 'SIDECAR_REQUEST_TIMEOUT',
  /** Upper bound for revocation and flushing after SIGTERM. */
  shutdownTimeout: 'SIDECAR_SHUTDOWN_TIMEOUT',
} as const;

export const SIDECAR_DEFAULTS = {
  /** Where the injector mounts the projected token in the sidecar. */
  tokenFile: '/var/run/secrets/secrets-broker/token',
  healthPort: 8099,
  authPath: 'auth/kubernetes',
  authMethod: 'kubernetes',
} as const;

/** Where the image puts the CLI (Dockerfile); the sidecar container runs it with the node flags below. */
export const IMAGE_CLI = '/app/dist/src/cli/bin.js';

/**
 * The sidecar's V8 start-up snapshot in the image (Dockerfile, src/start/): built at image
 * build by the image's own node, with the node version and architecture it was built by in
 * the manifest beside it. Node refuses a blob another build of node made (exit 14), so the
 * injector names it only when it knows the sidecar image holds a matching one (src/start/decide.ts).
 */
export const IMAGE_START_SNAPSHOT = '/app/start/sidecar.blob';
export const IMAGE_START_MANIFEST = '/app/start/sidecar.json';

/**
 * How a sidecar process is started: the node flags and the extra environment. The injector
 * builds the container's command from this, and the tests and benchmarks start the sidecar
 * with it, so what is measured is what runs in pods.
 *
 * - No V8 flags: each one measured (`--lite-mode`, `--jitless`, `--no-opt`, `--max-lazy`)
 *   adds about 20 ms to every start, the same for all, which fits V8 declining the code
 *   cache built into the node binary when its flags differ. `--lite-mode` would save
 *   about 5 MB of RSS, but that is the optimizing compiler's pages of the node binary,
 *   shared between processes (about 1 MB of PSS).
 * - With an operator CA: `--use-openssl-ca` and SSL_CERT_FILE set to that CA alone, so the
 *   trust store holds exactly that CA and Node does not parse its bundled root certificates
 *   at the first connection (20 to 25 ms of every start). Without one, Node's bundled roots.
 */
export interface SidecarLaunch {
  nodeFlags: string[];
  env: Record<string, string>;
}

/**
 * - With a start-up snapshot (`--snapshot-blob`): node starts from a heap in which the
 *   sidecar's modules are already loaded (src/start/sidecar-snapshot.ts), about 30 ms of
 *   CPU less per start than loading them from the compile cache (docs/sidecar.md). The
 *   CLI's path stays the last word of the command: the snapshot runs `sidecar` itself and
 *   hands any other command line to that file.
 */
export function sidecarLaunch(caFile?: string, snapshot?: string): SidecarLaunch {
  const start = snapshot === undefined || snapshot === '' ? [] : ['--snapshot-blob', snapshot];
  if (caFile === undefined || caFile === '') return { nodeFlags: start, env: {} };
  return { nodeFlags: [...start, '--use-openssl-ca'], env: { SSL_CERT_FILE: caFile, SSL_CERT_DIR: '/nonexistent' } };
}
