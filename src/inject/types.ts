/**
 * The Kubernetes shapes the injector reads and writes. Pods, containers, volumes and
 * everything in them are the types generated from the Kubernetes OpenAPI (the
 * `kubernetes-types` dev dependency), so a misspelt field fails to compile. They are
 * imported with `import type` only: nothing of that package exists at run time.
 *
 * Requests come from outside: review.ts `asPod` checks the parts the injector depends
 * on (a spec, named containers and volumes, string annotations) before anything else
 * looks at them; `Pod` below is the generated Pod narrowed to what `asPod` proved.
 */
import type { UserInfo } from 'kubernetes-types/authentication/v1';
import type { Pod as PodObject, PodSpec } from 'kubernetes-types/core/v1';

export type { UserInfo } from 'kubernetes-types/authentication/v1';
export type {
  Container,
  EnvVar,
  PodSecurityContext,
  PodSpec,
  Probe,
  SecurityContext,
  Volume,
  VolumeMount,
} from 'kubernetes-types/core/v1';
export type { ObjectMeta } from 'kubernetes-types/meta/v1';

/** A core/v1 Pod that has a spec (what review.ts `asPod` returns). */
export type Pod = PodObject & Required<Pick<PodObject, 'spec'>>;

/** The three lists of containers a pod spec holds. */
export type ContainerList = keyof Pick<PodSpec, 'containers' | 'initContainers' | 'ephemeralContainers'>;
export const CONTAINER_LISTS: readonly ContainerList[] = ['initContainers', 'containers', 'ephemeralContainers'];

/** One JSON Patch operation (RFC 6902); the injector only ever adds. */
export interface PatchOp {
  op: 'add';
  path: string;
  value: unknown;
}

/*
 * AdmissionReview (admission.k8s.io/v1 and v1beta1) is served by the apiserver to
 * webhooks but is not in the OpenAPI document the generated types come from, so its
 * envelope is written here by hand: the fields of k8s.io/api/admission/v1
 * AdmissionRequest the injector reads. `object` and `oldObject` stay `unknown` until
 * review.ts narrows them.
 */

/** A group/version/kind or group/version/resource as the AdmissionRequest names it. */
export interface GroupVersionKind {
  group?: string;
  version?: string;
  kind?: string;
}

export interface GroupVersionResource {
  group?: string;
  version?: string;
  resource?: string;
}

/** AdmissionReview `request`, the fields the injector uses. */
export interface AdmissionRequest {
  uid: string;
  kind?: GroupVersionKind;
  resource?: GroupVersionResource;
  subResource?: string;
  operation?: string;
  namespace?: string;
  name?: string;
  userInfo?: UserInfo;
  object?: unknown;
  oldObject?: unknown;
  dryRun?: boolean;
}

export interface AdmissionReview {
  apiVersion: string;
  kind: 'AdmissionReview';
  request: AdmissionRequest;
}
