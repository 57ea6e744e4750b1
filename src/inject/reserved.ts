/**
 * What in a pod claims to be the injector's (pure): containers carrying the spec env var,
 * volumes with the names the injector gives its own, mounts of those volumes, mounts at
 * the sidecar's token directory. `strip` takes all of it out, leaving the pod as the user
 * wrote it; identity.ts then checks that what was taken out is exactly what the injector
 * would add to that pod, and nothing else.
 */
import { isTokenPath, SIDECAR_TOKEN_DIR, SPEC_ENV } from '../spec';
import { nameContainer, printable } from './describe';
import { NAMES } from './plan';
import { CONTAINER_LISTS, type Container, type ContainerList, type Pod, type Volume, type VolumeMount } from './types';

/** The names of the volumes the injector adds: a pod's own volume may not carry one, no other container may mount one. */
export const RESERVED_VOLUMES: readonly string[] = [NAMES.data, NAMES.token, NAMES.ca];

export interface Placed<T> {
  list: ContainerList;
  /** The container's name. */
  name: string;
  item: T;
}

export interface Stripped {
  /** The pod without anything that claims to be ours: what the plan is made for. */
  base: Pod;
  /** Containers carrying the spec env var, as they are in the pod. */
  containers: Placed<Container>[];
  /** Volumes with reserved names. */
  volumes: Volume[];
  /** Mounts of reserved volumes in the remaining containers, one entry per container that has any. */
  mounts: Placed<VolumeMount[]>[];
}

/** A container claims to be ours when it carries the encoded spec, whatever its name or value. */
export function carriesSpec(c: Container): boolean {
  return Array.isArray(c.env) && c.env.some((e) => e?.name === SPEC_ENV);
}

function isReservedMount(m: VolumeMount | null): boolean {
  return typeof m?.name === 'string' && RESERVED_VOLUMES.includes(m.name);
}

/** Splits the pod into what the user wrote and what claims to be ours. The pod itself is not changed. */
export function strip(pod: Pod): Stripped {
  const out: Stripped = { base: { ...pod, spec: { ...pod.spec } }, containers: [], volumes: [], mounts: [] };
  for (const list of CONTAINER_LISTS) {
    const kept: Container[] = [];
    for (const c of pod.spec[list] ?? []) {
      if (carriesSpec(c)) {
        out.containers.push({ list, name: c.name, item: c });
        continue;
      }
      const mounts = Array.isArray(c.volumeMounts) ? c.volumeMounts : [];
      const reserved = mounts.filter(isReservedMount);
      if (reserved.length > 0) out.mounts.push({ list, name: c.name, item: reserved });
      kept.push(reserved.length > 0 ? { ...c, volumeMounts: mounts.filter((m) => !isReservedMount(m)) } : c);
    }
    if (pod.spec[list] !== undefined) out.base.spec[list] = kept;
  }
  if (pod.spec.volumes !== undefined) {
    out.volumes = pod.spec.volumes.filter((v) => RESERVED_VOLUMES.includes(v.name));
    out.base.spec.volumes = pod.spec.volumes.filter((v) => !RESERVED_VOLUMES.includes(v.name));
  }
  return out;
}

/** Nothing in the pod claims to be ours: a fresh pod. */
export function claimsNothing(s: Stripped): boolean {
  return s.containers.length === 0 && s.volumes.length === 0 && s.mounts.length === 0;
}

/** One problem per claim, without judging it (for pods the injector would not inject as they are). */
export function describeClaims(s: Stripped): string[] {
  return [
    ...s.containers.map((c) => `${nameContainer(c.list, c.name)} carries ${SPEC_ENV} but is not a sidecar this injector added`),
    ...s.volumes.map(reservedVolumeProblem),
    ...s.mounts.flatMap((m) => m.item.map((mount) => reservedMountProblem(m.list, m.name, mount.name))),
  ];
}

export function reservedVolumeProblem(v: Volume): string {
  return `volume "${printable(v.name)}": the name is reserved for the injector's own volumes`;
}

export function reservedMountProblem(list: ContainerList, container: string, volume: string): string {
  return `${nameContainer(list, container)} mounts volume "${printable(volume)}", which only the injector may mount`;
}

/** Containers that mount something at the sidecar's token directory (pass the stripped pod: ours may). */
export function tokenPathProblems(pod: Pod, lists: readonly ContainerList[] = CONTAINER_LISTS, only?: ReadonlySet<string>): string[] {
  return lists.flatMap((list) =>
    (pod.spec[list] ?? [])
      .filter((c) => !only || only.has(c.name))
      .filter((c) => (Array.isArray(c.volumeMounts) ? c.volumeMounts : []).some((m) => typeof m?.mountPath === 'string' && isTokenPath(m.mountPath)))
      .map((c) => `${nameContainer(list, c.name)} mounts something at ${SIDECAR_TOKEN_DIR}, the sidecar's token directory`),
  );
}
