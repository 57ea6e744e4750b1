/**
 * Comparing what the injector builds with what a pod carries (pure). After a mutating
 * webhook's patch the apiserver fills in its defaults (pkg/apis/core/v1/defaults.go), so a
 * reinvoked pod carries our objects with a few more fields; these are the ones it adds to
 * what the injector writes, with their only accepted value. Anything else that differs
 * makes the object someone else's.
 */

/** A field the apiserver may add to a built object, with its value; an array template applies to each element. */
type Template = string | number | boolean | { readonly [key: string]: Template } | readonly [Template];

/** Defaults the apiserver adds to the containers the injector builds. */
export const CONTAINER_DEFAULTS: Template = {
  terminationMessagePath: '/dev/termination-log',
  startupProbe: { successThreshold: 1 },
  env: [{ valueFrom: { fieldRef: { apiVersion: 'v1' } } }],
};

/** Defaults the apiserver adds to the volumes the injector builds (0644 on projected, ConfigMap and Secret volumes). */
export const VOLUME_DEFAULTS: Template = {
  projected: { defaultMode: 0o644 },
  configMap: { defaultMode: 0o644 },
  secret: { defaultMode: 0o644 },
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function child(t: Template | undefined, key: string): Template | undefined {
  return isRecord(t) ? (t as Record<string, Template>)[key] : undefined;
}

function element(t: Template | undefined): Template | undefined {
  return Array.isArray(t) ? (t as readonly Template[])[0] : undefined;
}

/** True when `actual` is `built`, plus at most the defaults of `template`. */
export function sameAsBuilt(built: unknown, actual: unknown, template?: Template): boolean {
  if (Array.isArray(built)) {
    return Array.isArray(actual) && actual.length === built.length && built.every((b, i) => sameAsBuilt(b, actual[i], element(template)));
  }
  if (isRecord(built)) return isRecord(actual) && differingFields(built, actual, template).length === 0;
  return built === actual;
}

/** The top-level fields of `actual` that are not what was built (field names only, never values). */
export function differingFields(built: Record<string, unknown>, actual: Record<string, unknown>, template?: Template): string[] {
  const keys = new Set([...Object.keys(built), ...Object.keys(actual)]);
  return [...keys].filter((k) => {
    if (built[k] !== undefined) return !sameAsBuilt(built[k], actual[k], child(template, k));
    // Only in the pod: accepted when it is the apiserver's default for a field the injector leaves out.
    const t = child(template, k);
    return actual[k] !== undefined && !(t !== undefined && typeof t !== 'object' && actual[k] === t);
  });
}
