/**
 * Image manifests (pure): docker-save `manifest.json`, and OCI `index.json` with its
 * nested indexes and manifests in `blobs/<alg>/<hex>`.
 */

/** One image: its config blob and its layer blobs in order, as archive member names. */
export interface ImageLayout {
  config?: string;
  layers: string[];
  /** Member names that are manifests, indexes or configs, so they are not scanned as loose files. */
  metadata: Set<string>;
}

interface Descriptor {
  digest?: unknown;
}

const blobName = (digest: unknown): string | undefined => {
  if (typeof digest !== 'string') return undefined;
  const m = /^(sha256|sha512):([0-9a-f]{32,128})$/.exec(digest);
  return m ? `blobs/${m[1]}/${m[2]}` : undefined;
};

function fromDocker(manifest: unknown): ImageLayout[] {
  if (!Array.isArray(manifest)) return [];
  return manifest.flatMap((m: { Config?: unknown; Layers?: unknown }) => {
    if (typeof m !== 'object' || m === null || !Array.isArray(m.Layers)) return [];
    const layers = m.Layers.filter((l): l is string => typeof l === 'string');
    const config = typeof m.Config === 'string' ? m.Config : undefined;
    return [{ config, layers, metadata: new Set(['manifest.json', ...(config ? [config] : [])]) }];
  });
}

function fromOci(json: Map<string, unknown>, name: string, depth: number, seen: Set<string>): ImageLayout[] {
  const doc = json.get(name) as { manifests?: Descriptor[]; layers?: Descriptor[]; config?: Descriptor } | undefined;
  if (!doc || depth > 4 || seen.has(name)) return [];
  seen.add(name);
  if (Array.isArray(doc.manifests)) {
    const nested = doc.manifests.flatMap((d) => {
      const child = blobName(d.digest);
      return child ? fromOci(json, child, depth + 1, seen) : [];
    });
    for (const n of nested) n.metadata.add(name);
    return nested;
  }
  if (!Array.isArray(doc.layers)) return [];
  const config = blobName(doc.config?.digest);
  const layers = doc.layers.map((l) => blobName(l.digest) ?? String(l.digest));
  return [{ config, layers, metadata: new Set([name, ...(config ? [config] : [])]) }];
}

/** Every image the archive describes; docker-save's manifest.json wins when both forms are present. */
export function resolveImages(json: Map<string, unknown>): ImageLayout[] {
  const docker = fromDocker(json.get('manifest.json'));
  if (docker.length > 0) {
    // A newer docker save also writes index.json; mark the OCI metadata too.
    for (const oci of fromOci(json, 'index.json', 0, new Set())) for (const m of oci.metadata) docker[0]?.metadata.add(m);
    return docker;
  }
  return fromOci(json, 'index.json', 0, new Set());
}
