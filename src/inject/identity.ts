/**
 * Is this the injector's own work? (pure). Identity by construction, never by a name: what
 * claims to be ours (reserved.ts) is ours only when it is exactly what the injector would
 * add now, for these annotations and these settings, to the pod as the user wrote it:
 * the same containers (image, command, args, env with the spec and VAULT_ADDR, mounts,
 * security context, probes, resources), the same volumes, the same app mounts, and the
 * pod-wide fields in place. The status annotation alone proves nothing.
 */
import { ANNOTATIONS, STATUS_INJECTED } from '../annotations';
import type { SidecarSettings } from '../config/injector';
import { SPEC_ENV } from '../spec';
import { buildContainers } from './containers';
import { nameContainer, printable } from './describe';
import { CONTAINER_DEFAULTS, differingFields, sameAsBuilt, VOLUME_DEFAULTS, withoutServiceAccountMount } from './k8s-defaults';
import { podSpecOps } from './patch';
import type { InjectionPlan } from './plan';
import { claimsNothing, describeClaims, reservedMountProblem, reservedVolumeProblem, type Stripped } from './reserved';
import type { Container, ContainerList, Pod, VolumeMount } from './types';
import { appMount, buildVolumes } from './volumes';

export type Identity =
  /** Nothing claims to be ours: inject. */
  | { kind: 'fresh' }
  /** Exactly our injection (reinvocation, or a copy of a pod we injected with these settings). */
  | { kind: 'ours'; containers: ReadonlySet<Container> }
  | { kind: 'impostor'; problems: string[] };

/** `pod` is the pod as it came; `stripped` its split (reserved.ts); `plan` the plan for `stripped.base`. */
export function recognise(pod: Pod, stripped: Stripped, plan: InjectionPlan, s: SidecarSettings): Identity {
  if (claimsNothing(stripped)) return { kind: 'fresh' };
  // Our volumes and mounts never come without our containers.
  if (stripped.containers.length === 0) return { kind: 'impostor', problems: describeClaims(stripped) };
  const containers = matchContainers(stripped, plan, s);
  // What is missing is worth naming only beside our real sidecar; beside an impostor it is noise.
  const complete = containers.problems.length === 0;
  const problems = [...containers.problems, ...volumeProblems(stripped, plan, s, complete), ...mountProblems(stripped, plan, complete)];
  if (problems.length === 0) problems.push(...podProblems(pod, stripped.base, plan));
  return problems.length === 0 ? { kind: 'ours', containers: containers.ours } : { kind: 'impostor', problems };
}

function matchContainers(stripped: Stripped, plan: InjectionPlan, s: SidecarSettings): { ours: Set<Container>; problems: string[] } {
  const built = buildContainers(plan, s);
  const expected = new Map<string, { list: ContainerList; c: Container }>();
  built.init.forEach((c) => expected.set(`initContainers/${c.name}`, { list: 'initContainers', c }));
  built.regular.forEach((c) => expected.set(`containers/${c.name}`, { list: 'containers', c }));
  const ours = new Set<Container>();
  const problems: string[] = [];
  const podVolumes = stripped.base.spec.volumes ?? [];
  for (const { list, name, item } of stripped.containers) {
    const want = expected.get(`${list}/${name}`);
    expected.delete(`${list}/${name}`);
    const differs = want ? differingFields(want.c, withoutServiceAccountMount(item, podVolumes), CONTAINER_DEFAULTS) : [];
    if (want && differs.length === 0) {
      ours.add(item);
      continue;
    }
    const why = want ? `differs in ${fieldList(differs)}` : 'the injector adds no container of that name there';
    problems.push(`${nameContainer(list, name)} carries ${SPEC_ENV} but is not the sidecar this injector adds for these annotations (${why})`);
  }
  if (problems.length === 0) for (const { list, c } of expected.values()) problems.push(`${nameContainer(list, c.name)}, which the injector adds, is missing`);
  return { ours, problems };
}

/** Field names come from the request: a few, printable. */
function fieldList(fields: string[]): string {
  const shown = fields.slice(0, 12).map(printable).join(', ');
  return fields.length > 12 ? `${shown} and ${fields.length - 12} more fields` : shown;
}

function volumeProblems(stripped: Stripped, plan: InjectionPlan, s: SidecarSettings, complete: boolean): string[] {
  const expected = new Map(buildVolumes(plan, s).map((v) => [v.name, v]));
  const problems = stripped.volumes.filter((v) => {
    const want = expected.get(v.name);
    expected.delete(v.name);
    return !want || !sameAsBuilt(want, v, VOLUME_DEFAULTS);
  }).map(reservedVolumeProblem);
  if (complete) for (const name of expected.keys()) problems.push(`volume "${name}", which the injector adds, is missing`);
  return problems;
}

/** Every other container: exactly the app mount when it is a target, no reserved mount otherwise. */
function mountProblems(stripped: Stripped, plan: InjectionPlan, complete: boolean): string[] {
  const problems: string[] = [];
  const targets = new Set(plan.targets.map((t) => `${t.list}/${t.name}`));
  const found = new Set<string>();
  for (const { list, name, item } of stripped.mounts) {
    const key = `${list}/${name}`;
    const want: VolumeMount[] = targets.has(key) ? [appMount(plan)] : [];
    if (sameAsBuilt(want, item)) found.add(key);
    else item.forEach((m) => problems.push(reservedMountProblem(list, name, m.name)));
  }
  if (complete) for (const t of plan.targets) if (!found.has(`${t.list}/${t.name}`)) problems.push(`${nameContainer(t.list, t.name)} lacks the secrets mount the injector adds`);
  return problems;
}

function podProblems(pod: Pod, base: Pod, plan: InjectionPlan): string[] {
  const problems: string[] = [];
  if (pod.metadata?.annotations?.[ANNOTATIONS.status] !== STATUS_INJECTED) problems.push(`the pod carries the injector's sidecar but not ${ANNOTATIONS.status}: ${STATUS_INJECTED}`);
  const missing = podSpecOps(base, plan).map((op) => op.path.split('/')[2] ?? op.path);
  if (missing.length > 0) problems.push(`the pod carries the injector's sidecar but lacks what the injector sets in ${[...new Set(missing)].join(', ')}`);
  return problems;
}
