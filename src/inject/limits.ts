/**
 * Size limits on a pod the injector would patch (pure). Mutating admission runs before
 * Kubernetes validates the object, so the injector sees pods the apiserver would refuse
 * anyway; these deny them early, with a message naming each limit, before the costly
 * work: annotation parsing (per secret) and a patch (per container and per secret).
 * docs/injector.md ("Limits") gives the measurement behind each bound.
 */
import { ANNOTATIONS, PREFIX, STATUS_INJECTED } from '../annotations';

/**
 * Kubernetes' `TotalAnnotationSizeLimitB` (256 KiB): the apiserver refuses an object whose
 * annotation keys and values total more bytes, after every mutating webhook has run.
 */
export const MAX_ANNOTATION_BYTES = 262144;

/**
 * Secrets (`secrets-broker.io/secret-<name>` annotations) one pod may ask for: far above any
 * real pod, and it keeps a review near 1.5 ms of CPU (about 5.5 µs a secret).
 */
export const MAX_SECRETS_PER_POD = 256;

/**
 * Largest JSON Patch the injector answers with (1.5 MiB): etcd's default request limit
 * (`--max-request-bytes`). Everything the patch adds lands in the stored pod, so a pod that
 * needs more than this on top of itself is one the apiserver cannot store.
 */
export const MAX_PATCH_BYTES = 1536 * 1024;

type Annotations = Readonly<Record<string, string>>;

const SECRET_PREFIX = `${PREFIX}secret-`;
const STATUS_BYTES = ANNOTATIONS.status.length + STATUS_INJECTED.length;

/**
 * What the limits count, in one pass over the keys: the annotation bytes the patched pod will
 * carry, as Kubernetes counts them (UTF-8 bytes of every key and value, with the status
 * annotation the patch sets in place of any the pod has), and the secrets it asks for (keys
 * under `secrets-broker.io/secret-`, counted without parsing them).
 */
export function annotationFigures(annotations: Annotations): { bytes: number; secrets: number } {
  let bytes = STATUS_BYTES;
  let secrets = 0;
  const keys = Object.keys(annotations);
  for (const key of keys) {
    if (key.startsWith(SECRET_PREFIX)) secrets++;
    if (key !== ANNOTATIONS.status) bytes += Buffer.byteLength(key) + Buffer.byteLength(annotations[key] as string);
  }
  return { bytes, secrets };
}

/** Every annotation limit the pod passes, each named with its figure; empty when within them. */
export function annotationLimitProblems(annotations: Annotations): string[] {
  const { bytes, secrets } = annotationFigures(annotations);
  return [
    ...(bytes > MAX_ANNOTATION_BYTES ? [`annotations total ${bytes} bytes with the injector's status annotation, more than the ${MAX_ANNOTATION_BYTES} Kubernetes accepts`] : []),
    ...(secrets > MAX_SECRETS_PER_POD ? [`${SECRET_PREFIX}<name>: ${secrets} secrets, more than the ${MAX_SECRETS_PER_POD} one pod may ask for`] : []),
  ];
}

/**
 * The problem with a patch of `bytes` (its JSON, UTF-8), or undefined when it is within the
 * limit; `at least` when `bytes` is a lower bound counted before the patch is built.
 */
export function patchLimitProblem(bytes: number, bound: 'exactly' | 'at least' = 'exactly'): string | undefined {
  if (bytes <= MAX_PATCH_BYTES) return undefined;
  return `the patch would be ${bound === 'at least' ? 'at least ' : ''}${bytes} bytes, more than the ${MAX_PATCH_BYTES} the apiserver can store (etcd's request limit); the pod has too many containers or secrets`;
}
