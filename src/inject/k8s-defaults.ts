/**
 * Comparing what the injector builds with what a pod carries (pure). After a mutating
 * webhook's patch the apiserver fills in its defaults (pkg/apis/core/v1/defaults.go), so a
 * reinvoked pod carries our objects with a few more fields; these are the ones it adds to
 * what the injector writes, with their only accepted value, and it writes quantities in
 * their canonical form (`0.5` becomes `500m`). Anything else that differs makes the object
 * someone else's.
 */

import { quantityValue } from '../quantity';
import type { Container, Volume } from './types';

export { quantityValue };

/** Marks a field compared as a Kubernetes quantity (by value, not spelling). */
export const QUANTITY = Symbol('quantity');

/**
 * A field the apiserver may add to a built object, with its value; an array template
 * applies to each element, the key `*` to every key of a map.
 */
type Template = string | number | boolean | typeof QUANTITY | { readonly [key: string]: Template } | readonly [Template];

/** Defaults the apiserver adds to the containers the injector builds. */
export const CONTAINER_DEFAULTS: Template = {
  terminationMessagePath: '/dev/termination-log',
  env: [{ valueFrom: { fieldRef: { apiVersion: 'v1' } } }],
  resources: { requests: { '*': QUANTITY }, limits: { '*': QUANTITY } },
};

/** Defaults the apiserver adds to the volumes the injector builds (0644 on projected, ConfigMap and Secret volumes). */
export const VOLUME_DEFAULTS: Template = {
  emptyDir: { sizeLimit: QUANTITY },
  projected: { defaultMode: 0o644 },
  configMap: { defaultMode: 0o644 },
  secret: { defaultMode: 0o644 },
};

/** Where the apiserver's ServiceAccount admission mounts the pod's API token (plugin/pkg/admission/serviceaccount). */
export const SERVICE_ACCOUNT_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * The container without the API-token mount the apiserver's ServiceAccount admission adds
 * to every container, ours included, when it runs again after a webhook's patch: a
 * read-only mount at SERVICE_ACCOUNT_MOUNT_PATH of a projected volume of the pod that
 * carries a service-account token. Any other mount there stays, and makes the container
 * differ.
 */
export function withoutServiceAccountMount(c: Container, podVolumes: readonly Volume[]): Container {
  const mounts = c.volumeMounts;
  if (!Array.isArray(mounts)) return c;
  const isTokenVolume = (name: string): boolean =>
    podVolumes.some((v) => v.name === name && (v.projected?.sources ?? []).some((src) => src.serviceAccountToken !== undefined));
  const kept = mounts.filter((m) => !(m.mountPath === SERVICE_ACCOUNT_MOUNT_PATH && m.readOnly === true && m.subPath === undefined && isTokenVolume(m.name)));
  return kept.length === mounts.length ? c : { ...c, volumeMounts: kept };
}

function sameQuantity(built: unknown, actual: unknown): boolean {
  if (typeof built !== 'string' || typeof actual !== 'string') return built === actual;
  const [a, b] = [quantityValue(built), quantityValue(actual)];
  return a !== undefined && b !== undefined && Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function child(t: Template | undefined, key: string): Template | undefined {
  return isRecord(t) ? ((t as Record<string, Template>)[key] ?? (t as Record<string, Template>)['*']) : undefined;
}

function element(t: Template | undefined): Template | undefined {
  return Array.isArray(t) ? (t as readonly Template[])[0] : undefined;
}

/** True when `actual` is `built`, plus at most the defaults of `template`. */
export function sameAsBuilt(built: unknown, actual: unknown, template?: Template): boolean {
  if (template === QUANTITY) return sameQuantity(built, actual);
  if (Array.isArray(built)) {
    return Array.isArray(actual) && actual.length === built.length && built.every((b, i) => sameAsBuilt(b, actual[i], element(template)));
  }
  if (isRecord(built)) return isRecord(actual) && differingFields(built, actual, template).length === 0;
  return built === actual;
}

/** The top-level fields of `actual` that are not what was built (field names only, never values). */
export function differingFields(builtObject: object, actualObject: object, template?: Template): string[] {
  const [built, actual] = [builtObject as Record<string, unknown>, actualObject as Record<string, unknown>];
  const keys = new Set([...Object.keys(built), ...Object.keys(actual)]);
  return [...keys].filter((k) => {
    if (built[k] !== undefined) return !sameAsBuilt(built[k], actual[k], child(template, k));
    // Only in the pod: accepted when it is the apiserver's default for a field the injector leaves out.
    const t = child(template, k);
    return actual[k] !== undefined && !(t !== undefined && typeof t !== 'object' && typeof t !== 'symbol' && actual[k] === t);
  });
}
