/** Builds tar archives, docker-save tarballs and OCI layouts in memory with tar-stream, for tests and benchmarks. */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { pack, type Header } from 'tar-stream';

/** One tar member: a file with content, or another header type (symlink, directory). */
export interface TarEntry {
  name: string;
  content?: Buffer | string;
  type?: Header['type'];
  linkname?: string;
}

/** A tar archive holding `entries`, in order. */
export async function tarOf(entries: readonly TarEntry[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => void chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    p.on('end', resolve);
    p.on('error', reject);
  });
  for (const e of entries) {
    const body = e.content === undefined ? undefined : Buffer.from(e.content);
    const header: Partial<Header> & { name: string } = { name: e.name, type: e.type ?? 'file', mode: 0o644 };
    if (e.linkname !== undefined) header.linkname = e.linkname;
    await new Promise<void>((resolve, reject) => p.entry(header, body ?? '', (err) => (err ? reject(err) : resolve())));
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** An image: its layers (lists of entries), Env and history `created_by` lines. */
export interface ImageSpec {
  layers: TarEntry[][];
  env?: string[];
  history?: string[];
}

async function configAndLayers(spec: ImageSpec): Promise<{ config: Buffer; layers: Buffer[] }> {
  const layers = await Promise.all(spec.layers.map((l) => tarOf(l)));
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Env: spec.env ?? ['PATH=/usr/bin'] },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => `sha256:${sha(l)}`) },
      history: (spec.history ?? []).map((created_by) => ({ created_by })),
    }),
  );
  return { config, layers };
}

/** A `docker save` tarball: `<id>/layer.tar` members first and manifest.json last, as streaming must cope with. */
export async function dockerSave(spec: ImageSpec): Promise<Buffer> {
  const { config, layers } = await configAndLayers(spec);
  const names = layers.map((l) => `${sha(l)}/layer.tar`);
  const entries: TarEntry[] = layers.map((l, i) => ({ name: names[i]!, content: l }));
  entries.push({ name: `${sha(config)}.json`, content: config });
  entries.push({ name: 'manifest.json', content: JSON.stringify([{ Config: `${sha(config)}.json`, RepoTags: ['app:test'], Layers: names }]) });
  return tarOf(entries);
}

/** An OCI image layout (as tar members) with gzip-compressed layers. */
export async function ociLayout(spec: ImageSpec): Promise<TarEntry[]> {
  const { config, layers } = await configAndLayers(spec);
  const gz = layers.map((l) => gzipSync(l));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${sha(config)}`, size: config.length },
      layers: gz.map((g) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${sha(g)}`, size: g.length })),
    }),
  );
  const index = { schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${sha(manifest)}`, size: manifest.length }] };
  return [
    { name: 'oci-layout', content: '{"imageLayoutVersion":"1.0.0"}' },
    ...gz.map((g) => ({ name: `blobs/sha256/${sha(g)}`, content: g })),
    { name: `blobs/sha256/${sha(config)}`, content: config },
    { name: `blobs/sha256/${sha(manifest)}`, content: manifest },
    { name: 'index.json', content: JSON.stringify(index) },
  ];
}
