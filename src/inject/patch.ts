/**
 * Turns a plan into JSON Patch operations (pure, built directly, never diffed).
 * Every op is an `add`: parent arrays and objects are created when the pod has none,
 * existing user entries are only appended to, never replaced or renamed.
 */
import type { SidecarSettings } from '../config/injector';
import { ANNOTATIONS, STATUS_INJECTED } from '../annotations';
import { buildContainers } from './containers';
import type { InjectionPlan } from './plan';
import type { PatchOp, Pod } from './types';
import { appMount, buildVolumes } from './volumes';

/** RFC 6901: `~` becomes `~0` and `/` becomes `~1` inside one path segment. */
export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Adds `values` to the array at `path`, creating it when the pod has none. */
function appendAll(path: string, existing: unknown[] | undefined, values: unknown[]): PatchOp[] {
  if (values.length === 0) return [];
  if (!Array.isArray(existing)) return [{ op: 'add', path, value: values }];
  return values.map((value) => ({ op: 'add', path: `${path}/-`, value }));
}

/** The full patch for a planned injection. */
export function toPatch(pod: Pod, plan: InjectionPlan, s: SidecarSettings): PatchOp[] {
  const { init, regular } = buildContainers(plan, s);
  const ops: PatchOp[] = [];
  ops.push(...statusOps(pod));
  ops.push(...appendAll('/spec/volumes', pod.spec.volumes, buildVolumes(plan, s)));
  // Mounts first: they address user init containers by their index before ours shift them.
  for (const t of plan.targets) {
    const c = (t.list === 'containers' ? pod.spec.containers : (pod.spec.initContainers ?? []))[t.index];
    ops.push(...appendAll(`/spec/${t.list}/${t.index}/volumeMounts`, c?.volumeMounts, [appMount(plan)]));
  }
  // Ours go first so user init containers that ask for the mount find their secrets there.
  if (Array.isArray(pod.spec.initContainers)) init.forEach((c, i) => ops.push({ op: 'add', path: `/spec/initContainers/${i}`, value: c }));
  else ops.push({ op: 'add', path: '/spec/initContainers', value: init });
  ops.push(...appendAll('/spec/containers', pod.spec.containers, regular));
  ops.push(...podSpecOps(pod, plan));
  return ops;
}

/** The pod-wide fields the injection needs: none when the pod already has them (identity.ts relies on it). */
export function podSpecOps(pod: Pod, plan: InjectionPlan): PatchOp[] {
  const ops = groupOps(pod, plan);
  // A projected token is invalid without a service account name. The ServiceAccount
  // admission plugin fills it in before webhooks run in almost every cluster; where it is
  // off, say what the pod was going to run as anyway.
  if (pod.spec.serviceAccountName === undefined) {
    ops.push({ op: 'add', path: '/spec/serviceAccountName', value: pod.spec.serviceAccount ?? 'default' });
  }
  if (plan.shareProcessNamespace && pod.spec.shareProcessNamespace !== true) {
    ops.push({ op: 'add', path: '/spec/shareProcessNamespace', value: true });
  }
  return ops;
}

function statusOps(pod: Pod): PatchOp[] {
  if (!pod.metadata) return [{ op: 'add', path: '/metadata', value: { annotations: { [ANNOTATIONS.status]: STATUS_INJECTED } } }];
  if (!pod.metadata.annotations) return [{ op: 'add', path: '/metadata/annotations', value: { [ANNOTATIONS.status]: STATUS_INJECTED } }];
  return [{ op: 'add', path: `/metadata/annotations/${escapePointer(ANNOTATIONS.status)}`, value: STATUS_INJECTED }];
}

function groupOps(pod: Pod, plan: InjectionPlan): PatchOp[] {
  if (!plan.addSupplementalGroup) return [];
  const sc = pod.spec.securityContext;
  if (!sc) return [{ op: 'add', path: '/spec/securityContext', value: { supplementalGroups: [plan.fileGroup] } }];
  return appendAll('/spec/securityContext/supplementalGroups', sc.supplementalGroups, [plan.fileGroup]);
}
