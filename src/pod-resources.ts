/**
 * Per-pod sidecar resources (pure): the `cpu-request`, `memory-request`, `cpu-limit` and
 * `memory-limit` annotations checked against the operator's bounds (SIDECAR_MAX_*) and
 * merged over the operator's defaults (SIDECAR_CPU_REQUEST ...). annotations.ts maps the
 * annotations onto the fields here; problems name the bound, never the pod's value.
 */
import { quantityValue } from './quantity';

/** The sidecar container's requests and limits, by resource name (`cpu`, `memory`). */
export interface SidecarResources {
  requests: Record<string, string>;
  limits: Record<string, string>;
}

export const RESOURCE_FIELDS = ['cpuRequest', 'memoryRequest', 'cpuLimit', 'memoryLimit'] as const;
export type ResourceField = (typeof RESOURCE_FIELDS)[number];
/** What the pod asked for: the annotated quantities only. */
export type ResourceOverrides = Partial<Record<ResourceField, string>>;

/** Where each field goes in the container, and the operator setting that bounds it. */
export const RESOURCE_FIELD_INFO: Record<ResourceField, { kind: keyof SidecarResources; resource: 'cpu' | 'memory'; maxSetting: string; defaultSetting: string }> = {
  cpuRequest: { kind: 'requests', resource: 'cpu', maxSetting: 'SIDECAR_MAX_CPU_REQUEST', defaultSetting: 'SIDECAR_CPU_REQUEST' },
  memoryRequest: { kind: 'requests', resource: 'memory', maxSetting: 'SIDECAR_MAX_MEMORY_REQUEST', defaultSetting: 'SIDECAR_MEMORY_REQUEST' },
  cpuLimit: { kind: 'limits', resource: 'cpu', maxSetting: 'SIDECAR_MAX_CPU_LIMIT', defaultSetting: 'SIDECAR_CPU_LIMIT' },
  memoryLimit: { kind: 'limits', resource: 'memory', maxSetting: 'SIDECAR_MAX_MEMORY_LIMIT', defaultSetting: 'SIDECAR_MEMORY_LIMIT' },
};

/** The operator's side: defaults for a pod that asks for nothing, and the largest value a pod may ask for. */
export interface ResourcePolicy {
  defaults: SidecarResources;
  max: SidecarResources;
}

/**
 * Quantities a pod may write: a whole number of milli-units (`250m`), or a number with at
 * most three decimals and an optional decimal or binary suffix (`0.5`, `1.5Gi`). Finer
 * values would be rounded by the apiserver, and the reinvoked pod would no longer be the
 * sidecar the injector built.
 */
const POD_QUANTITY = /^(?:[0-9]{1,12}m|[0-9]{1,12}(?:\.[0-9]{1,3})?(?:k|M|G|Ki|Mi|Gi)?)$/;

export type ResourceCheck = { overrides: ResourceOverrides; problems: [ResourceField, string][] };

/** Checks the annotated quantities: syntax, positive, within the bounds, each request at most its limit. */
export function checkResources(values: ResourceOverrides, policy: ResourcePolicy, names: Record<ResourceField, string>): ResourceCheck {
  const problems: [ResourceField, string][] = [];
  const overrides: ResourceOverrides = {};
  for (const field of RESOURCE_FIELDS) {
    const text = values[field];
    if (text === undefined) continue;
    const problem = checkOne(field, text, policy);
    if (problem === undefined) overrides[field] = text;
    else problems.push([field, problem]);
  }
  for (const resource of ['cpu', 'memory'] as const) {
    const problem = requestAboveLimit(resource, overrides, policy, names);
    if (problem) problems.push(problem);
  }
  return { overrides, problems };
}

function checkOne(field: ResourceField, text: string, policy: ResourcePolicy): string | undefined {
  const info = RESOURCE_FIELD_INFO[field];
  const value = POD_QUANTITY.test(text) ? quantityValue(text) : undefined;
  if (value === undefined || value <= 0) return 'must be a positive Kubernetes quantity such as 250m, 0.5, 128Mi or 1Gi (at most three decimals)';
  const max = policy.max[info.kind][info.resource] ?? '';
  const maxValue = quantityValue(max);
  if (maxValue !== undefined && value > maxValue) return `must be at most ${max} (the operator's ${info.maxSetting})`;
  return undefined;
}

const PAIRS = { cpu: ['cpuRequest', 'cpuLimit'], memory: ['memoryRequest', 'memoryLimit'] } as const;

function requestAboveLimit(resource: 'cpu' | 'memory', o: ResourceOverrides, policy: ResourcePolicy, names: Record<ResourceField, string>): [ResourceField, string] | undefined {
  const [reqField, limField] = PAIRS[resource];
  const [reqAsked, limAsked] = [o[reqField], o[limField]];
  if (reqAsked === undefined && limAsked === undefined) return undefined;
  const requestText = reqAsked ?? policy.defaults.requests[resource] ?? '';
  const limitText = limAsked ?? policy.defaults.limits[resource] ?? '';
  const [request, limit] = [quantityValue(requestText), quantityValue(limitText)];
  if (request === undefined || limit === undefined || request <= limit) return undefined;
  // Name whichever side the pod wrote; the operator's default is shown with its setting.
  if (limAsked === undefined) return [reqField, `must be at most the ${resource} limit ${limitText} (the operator's ${RESOURCE_FIELD_INFO[limField].defaultSetting})`];
  if (reqAsked === undefined) return [limField, `must be at least the ${resource} request ${requestText} (the operator's ${RESOURCE_FIELD_INFO[reqField].defaultSetting})`];
  return [reqField, `must be at most ${names[limField]}`];
}

/** The operator's resources with the pod's overrides on top. */
export function mergeResources(defaults: SidecarResources, o: ResourceOverrides): SidecarResources {
  const out: SidecarResources = { requests: { ...defaults.requests }, limits: { ...defaults.limits } };
  for (const field of RESOURCE_FIELDS) {
    const text = o[field];
    const info = RESOURCE_FIELD_INFO[field];
    if (text !== undefined) out[info.kind][info.resource] = text;
  }
  return out;
}
