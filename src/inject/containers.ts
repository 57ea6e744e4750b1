/**
 * The containers the injector adds (pure). Everything in them comes from the operator's
 * settings and the validated spec: image, command, Vault address and security context
 * cannot be influenced by the pod; its resources only within the operator's bounds (the plan).
 */
import type { SidecarSettings } from '../config/injector';
import { IMAGE_CLI, SIDECAR_DEFAULTS, SIDECAR_ENV, SIDECAR_EXTRA_ENV, sidecarLaunch } from '../sidecar-env';
import { encodeSpec, SIDECAR_TOKEN_DIR } from '../spec';
import type { InjectionPlan } from './plan';
import { gateCommand } from './gate';
import type { Container, EnvVar, SecurityContext } from './types';

/** The sidecar image's CLI; command and args are always set explicitly. */
export const SIDECAR_COMMAND = ['secrets-broker'] as const;
export const SIDECAR_ARGS = ['sidecar'] as const;
export const SIDECAR_ONCE_ARGS = ['sidecar', '--once'] as const;
/** Where the Vault CA lands in the sidecar when the operator configures one. */
export const VAULT_CA_DIR = '/var/run/secrets/secrets-broker-ca';
export const TOKEN_DIR = SIDECAR_TOKEN_DIR;
export const TOKEN_FILE_NAME = SIDECAR_DEFAULTS.tokenFile.slice(TOKEN_DIR.length + 1);

/** Restricted Pod Security Standard, with the user and group chosen by the plan. */
export function sidecarSecurityContext(plan: InjectionPlan): SecurityContext {
  return {
    runAsNonRoot: true,
    ...(plan.runAsUser !== undefined && { runAsUser: plan.runAsUser }),
    runAsGroup: plan.fileGroup,
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/**
 * The containers to add, in the order they go in: init containers first, then regular ones.
 * The native sidecar gates the app's start with its postStart hook (src/inject/gate.ts).
 */
export function buildContainers(plan: InjectionPlan, s: SidecarSettings): { init: Container[]; regular: Container[] } {
  switch (plan.shape) {
    case 'native':
      return { init: [{ ...base(plan.names.sidecar, SIDECAR_ARGS, plan, s), restartPolicy: 'Always', lifecycle: { postStart: { exec: { command: gateCommand() } } } }], regular: [] };
    case 'classic':
      return { init: [base(plan.names.init, SIDECAR_ONCE_ARGS, plan, s)], regular: [base(plan.names.sidecar, SIDECAR_ARGS, plan, s)] };
    case 'init-only':
      return { init: [base(plan.names.sidecar, SIDECAR_ONCE_ARGS, plan, s)], regular: [] };
  }
}

function base(name: string, args: readonly string[], plan: InjectionPlan, s: SidecarSettings): Container {
  const mounts = [
    { name: plan.names.data, mountPath: plan.spec.mountPath },
    { name: plan.names.token, mountPath: TOKEN_DIR, readOnly: true },
    ...(s.vaultCa ? [{ name: plan.names.ca, mountPath: VAULT_CA_DIR, readOnly: true }] : []),
  ];
  return {
    name,
    image: s.image,
    imagePullPolicy: s.imagePullPolicy,
    command: sidecarCommand(s),
    args: [...args],
    env: sidecarEnv(plan, s),
    resources: { requests: { ...plan.resources.requests }, ...(Object.keys(plan.resources.limits).length > 0 && { limits: { ...plan.resources.limits } }) },
    securityContext: sidecarSecurityContext(plan),
    volumeMounts: mounts,
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
}

/** The CA file inside the sidecar container, when the operator configured one. */
function caFile(s: SidecarSettings): string {
  return s.vaultCa ? `${VAULT_CA_DIR}/${s.vaultCa.key}` : '';
}

/** `node <flags> <the image's CLI>`: the sidecar's node flags (src/sidecar-env.ts sidecarLaunch). */
export function sidecarCommand(s: SidecarSettings): string[] {
  return ['node', ...sidecarLaunch(caFile(s), s.startSnapshot).nodeFlags, IMAGE_CLI];
}

function fieldEnv(name: string, fieldPath: string): EnvVar {
  return { name, valueFrom: { fieldRef: { fieldPath } } };
}

/** Operator settings and the spec as plain values; pod identity from the downward API. */
export function sidecarEnv(plan: InjectionPlan, s: SidecarSettings): EnvVar[] {
  const optional = (name: string, value: string): EnvVar[] => (value === '' ? [] : [{ name, value }]);
  return [
    { name: SIDECAR_ENV.spec, value: encodeSpec(plan.spec) },
    { name: SIDECAR_ENV.vaultAddr, value: s.vaultAddr },
    { name: SIDECAR_ENV.vaultAuthPath, value: s.vaultAuthPath },
    { name: SIDECAR_ENV.vaultAuthMethod, value: s.vaultAuthMethod },
    ...optional(SIDECAR_ENV.vaultNamespace, s.vaultNamespace),
    ...optional(SIDECAR_ENV.vaultCaCert, caFile(s)),
    ...Object.entries(sidecarLaunch(caFile(s)).env).map(([name, value]) => ({ name, value })),
    { name: SIDECAR_ENV.tokenFile, value: SIDECAR_DEFAULTS.tokenFile },
    { name: SIDECAR_ENV.healthPort, value: String(plan.healthPort) },
    { name: SIDECAR_ENV.revokeOnShutdown, value: String(s.revokeOnShutdown) },
    ...optional(SIDECAR_ENV.staleAfter, s.staleAfterSeconds > 0 ? String(s.staleAfterSeconds) : ''),
    ...optional(SIDECAR_EXTRA_ENV.auditHashDevice, s.auditHashDevice),
    { name: SIDECAR_ENV.logLevel, value: s.logLevel },
    fieldEnv(SIDECAR_ENV.podName, 'metadata.name'),
    fieldEnv(SIDECAR_ENV.podNamespace, 'metadata.namespace'),
    fieldEnv(SIDECAR_ENV.podUid, 'metadata.uid'),
    fieldEnv(SIDECAR_ENV.nodeName, 'spec.nodeName'),
    fieldEnv(SIDECAR_ENV.serviceAccount, 'spec.serviceAccountName'),
  ];
}
