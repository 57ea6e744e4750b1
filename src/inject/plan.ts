/**
 * Decides what the injection looks like for one pod (pure): the names of our
 * containers and volumes (never a user's), which containers get the mount, the
 * sidecar's file group, the health port. containers.ts, volumes.ts and patch.ts turn
 * the plan into objects and JSON Patch operations.
 */
import type { SidecarSettings } from '../config/injector';
import { mergeResources, type ResourceOverrides, type SidecarResources } from '../pod-resources';
import type { PodSecretsSpec } from '../spec';
import type { Container, Pod } from './types';

/**
 * Fixed names. A container gets a `-1`, `-2` ... suffix when the user already has one of that
 * name; the volume names are reserved (reserved.ts), so they are always these.
 */
export const NAMES = {
  sidecar: 'secrets-broker',
  init: 'secrets-broker-init',
  data: 'secrets-broker-data',
  token: 'secrets-broker-token',
  ca: 'secrets-broker-vault-ca',
} as const;

/** How the secrets get there: one native sidecar, classic init + sidecar, or one init container. */
export type Shape = 'native' | 'classic' | 'init-only';

export interface MountTarget {
  list: 'containers' | 'initContainers';
  index: number;
  name: string;
}

export interface InjectionPlan {
  spec: PodSecretsSpec;
  shape: Shape;
  names: { sidecar: string; init: string; data: string; token: string; ca: string };
  targets: MountTarget[];
  /** Group of the rendered files (runAsGroup of the sidecar). */
  fileGroup: number;
  /** True when fileGroup must be added to the pod's supplementalGroups so the app holds it. */
  addSupplementalGroup: boolean;
  healthPort: number;
  shareProcessNamespace: boolean;
  /** The sidecar's user (sidecarUser); undefined leaves it to the pod and the platform. */
  runAsUser: number | undefined;
  /** Admitted, but something will not work as asked: shown to the user as admission warnings. */
  warnings: string[];
  /** The sidecar's resources: the operator's defaults with what the pod's annotations asked for (parseSpec checked the bounds). */
  resources: SidecarResources;
}

export type PlanResult = { ok: true; plan: InjectionPlan } | { ok: false; errors: string[] };

/**
 * Plans the injection into a pod as the user wrote it (reserved.ts `strip` takes out
 * anything that claims to be ours first); `containers` and `resources` are what parseSpec resolved.
 */
export function planInjection(pod: Pod, spec: PodSecretsSpec, containers: readonly string[], s: SidecarSettings, resources: ResourceOverrides = {}): PlanResult {
  const targets = findTargets(pod, containers);
  const errors = targets
    .filter((t) => (containerAt(pod, t).volumeMounts ?? []).some((m) => m.mountPath === spec.mountPath))
    .map((t) => `secrets-broker.io/mount-path: container "${t.name}" already mounts something at that path`);
  if (errors.length > 0) return { ok: false, errors };
  const user = sidecarUser(pod, targets, spec, s.runAsUser);
  const group = chooseFileGroup(pod, targets, s.fileGroup);
  const usedContainers = new Set(allContainers(pod).map((c) => c.name));
  const sidecar = unique(NAMES.sidecar, usedContainers);
  const plan: InjectionPlan = {
    spec,
    shape: spec.lifecycle === 'init-only' ? 'init-only' : s.mode,
    names: {
      sidecar,
      init: unique(NAMES.init, usedContainers.add(sidecar)),
      data: NAMES.data,
      token: NAMES.token,
      ca: NAMES.ca,
    },
    targets,
    fileGroup: group.gid,
    addSupplementalGroup: group.supplemental,
    healthPort: freePort(pod, s.healthPort),
    shareProcessNamespace: signalsApp(spec),
    runAsUser: user.uid,
    warnings: user.warning === undefined ? [] : [user.warning],
    resources: mergeResources(s.resources, resources),
  };
  return { ok: true, plan };
}

const signalsApp = (spec: PodSecretsSpec): boolean => spec.notify.kind === 'signal' && spec.lifecycle === 'sidecar';

/**
 * The sidecar's user. The operator's (undefined: the platform's), except when it must
 * signal the app: without capabilities (the restricted Pod Security Standard drops them
 * all) a process may signal only processes of its own user, so the sidecar runs as the
 * user of the app containers it notifies when the pod names one non-root uid for them all.
 * Otherwise the pod is admitted with a warning: its secrets work, its signals would not.
 */
export function sidecarUser(pod: Pod, targets: readonly MountTarget[], spec: PodSecretsSpec, operator: number | undefined): { uid: number | undefined; warning?: string } {
  if (!signalsApp(spec)) return { uid: operator };
  const apps = targets.filter((t) => t.list === 'containers');
  const podUser = pod.spec.securityContext?.runAsUser;
  const users = new Set(apps.map((t) => containerAt(pod, t).securityContext?.runAsUser ?? podUser));
  const [only] = [...users];
  if (users.size === 1 && typeof only === 'number' && only > 0) return { uid: only };
  const names = apps.map((t) => `"${t.name}"`).join(', ');
  return {
    uid: operator,
    warning:
      `secrets-broker.io/notify: the signal will not reach ${names}: the sidecar may signal only processes of its own user, ` +
      'and these containers do not run as one non-root runAsUser set in the pod. ' +
      'Set securityContext.runAsUser on the pod (or the same on each of them), or use notify: http://127.0.0.1:<port>/<path>',
  };
}

function allContainers(pod: Pod): Container[] {
  return [...pod.spec.containers, ...(pod.spec.initContainers ?? []), ...(pod.spec.ephemeralContainers ?? [])];
}

function containerAt(pod: Pod, t: MountTarget): Container {
  return (t.list === 'containers' ? pod.spec.containers : (pod.spec.initContainers ?? []))[t.index] as Container;
}

function findTargets(pod: Pod, names: readonly string[]): MountTarget[] {
  const wanted = new Set(names);
  const pickFrom = (list: MountTarget['list'], cs: Container[]): MountTarget[] =>
    cs.flatMap((c, index) => (wanted.has(c.name) ? [{ list, index, name: c.name }] : []));
  return [...pickFrom('initContainers', pod.spec.initContainers ?? []), ...pickFrom('containers', pod.spec.containers)];
}

/**
 * The group that may read the 0440 files. In order: the pod's fsGroup (every container
 * already holds it and the kubelet makes the volume setgid to it); else the runAsGroup
 * every mounted container shares; else the operator's fallback group, which the
 * injector adds to the pod's supplementalGroups (adding a group never takes a
 * permission away; the app's user, primary group and fsGroup stay as they are).
 * Group 0 is never used: files readable by root's group are not private.
 */
export function chooseFileGroup(pod: Pod, targets: readonly MountTarget[], fallback: number): { gid: number; supplemental: boolean } {
  const podSc = pod.spec.securityContext ?? {};
  if (typeof podSc.fsGroup === 'number' && podSc.fsGroup > 0) return { gid: podSc.fsGroup, supplemental: false };
  const groups = new Set(targets.map((t) => containerAt(pod, t).securityContext?.runAsGroup ?? podSc.runAsGroup));
  const [only] = [...groups];
  if (groups.size === 1 && typeof only === 'number' && only > 0) return { gid: only, supplemental: false };
  return { gid: fallback, supplemental: !(podSc.supplementalGroups ?? []).includes(fallback) };
}

function unique(base: string, used: Set<string>): string {
  if (!used.has(base)) return base;
  for (let i = 1; ; i++) {
    const name = `${base}-${i}`;
    if (!used.has(name)) return name;
  }
}

/** Containers share the pod's network namespace: our health port must not be one the app declares. */
function freePort(pod: Pod, preferred: number): number {
  const used = new Set(allContainers(pod).flatMap((c) => (c.ports ?? []).map((p) => p.containerPort)));
  let port = preferred;
  while (used.has(port) && port < 65535) port++;
  return port;
}
