/** Reads the manifest beside the image's start-up snapshot; undefined when there is none or it does not parse. */
import { readFileSync } from 'node:fs';
import { IMAGE_START_MANIFEST } from '../sidecar-env';
import { packageVersion } from '../version';
import { startSnapshotFor } from './decide';

export function readStartManifest(file = IMAGE_START_MANIFEST): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** The snapshot the injector names in sidecar commands for `sidecarImage` (src/start/decide.ts), read once at its start. */
export function imageStartSnapshot(sidecarImage: string, manifestFile = IMAGE_START_MANIFEST): string | undefined {
  return startSnapshotFor({ manifest: readStartManifest(manifestFile), node: process.version, arch: process.arch, sidecarImage, version: packageVersion() });
}
