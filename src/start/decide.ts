/**
 * Whether the injector starts the sidecar from the image's start-up snapshot. Node exits 14
 * when `--snapshot-blob` names a missing file or one another node build made, so the flag
 * is given only when both hold:
 *
 * - the injector's own image holds a snapshot whose manifest names the node version and
 *   architecture the injector runs on (the image built it with that node), and
 * - the sidecar image is the same release: its tag is the injector's package version (the
 *   chart's default is the injector's own image). Any other image, or one named by digest
 *   alone, starts without the snapshot, as before it existed.
 */
import { IMAGE_START_SNAPSHOT } from '../sidecar-env';

export interface StartSnapshotFacts {
  /** The parsed manifest beside the injector's snapshot, undefined when there is none. */
  manifest: unknown;
  /** The injector's `process.version` and `process.arch`. */
  node: string;
  arch: string;
  sidecarImage: string;
  /** The injector's package version. */
  version: string;
}

export interface StartManifest {
  node: string;
  arch: string;
}

export function isStartManifest(v: unknown): v is StartManifest {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as Record<string, unknown>;
  return typeof m.node === 'string' && typeof m.arch === 'string';
}

/** The tag of an image reference (`[host[:port]/]path[:tag][@digest]`), undefined when it has none. */
export function imageTag(image: string): string | undefined {
  const name = image.split('@')[0] ?? '';
  const last = name.slice(name.lastIndexOf('/') + 1);
  const colon = last.lastIndexOf(':');
  return colon < 0 ? undefined : last.slice(colon + 1);
}

/** The snapshot's path in the sidecar image, or undefined: start without one. */
export function startSnapshotFor(f: StartSnapshotFacts): string | undefined {
  if (!isStartManifest(f.manifest) || f.manifest.node !== f.node || f.manifest.arch !== f.arch) return undefined;
  return imageTag(f.sidecarImage) === f.version ? IMAGE_START_SNAPSHOT : undefined;
}
