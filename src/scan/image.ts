/**
 * Image archives, streamed: a `docker save` tarball or an OCI image layout (tar or
 * directory). Each layer blob is scanned as it passes; layer order, whiteouts and the
 * image config are resolved from the manifests at the end, so member order does not
 * matter and nothing is extracted.
 */
import type { Readable } from 'node:stream';
import { analyseConfig, type ImageConfig } from './image-config';
import { analyserFor, MEMBER_LIMIT, removedBy, scanLayer, tooLarge, type LayerScan } from './layer';
import type { Finding, ImagePlace } from './finding';
import { toFinding } from './finding';
import { forPath } from './fixture-paths';
import { cleanPath, drain, peek, readAll, sniff } from './stream-util';
import { scanStream } from './text-scanner';
import { resolveImages, type ImageLayout } from './manifest';

/** A member of an archive or a file of a layout directory. */
export interface Member {
  name: string;
  size: number;
  stream: Readable | AsyncIterable<Buffer>;
}

/** Counts for the summary. */
export interface ScanCounts {
  files: number;
  bytes: number;
  binary: number;
  symlinks: number;
  ignored: number;
}

/** Findings and problems from one target. */
export interface TargetScan {
  findings: Finding[];
  problems: string[];
  counts: ScanCounts;
}

const JSON_LIMIT = 8 << 20;

/** Collects what the members hold until the manifests can be read. */
export class ImageScan {
  private readonly layers = new Map<string, LayerScan>();
  private readonly json = new Map<string, unknown>();
  private readonly result: TargetScan = { findings: [], problems: [], counts: { files: 0, bytes: 0, binary: 0, symlinks: 0, ignored: 0 } };

  private cut = false;

  /** `limit`: most uncompressed bytes read from one member (MEMBER_LIMIT unless a test passes a small one). */
  constructor(
    private readonly display: string,
    private readonly limit = MEMBER_LIMIT,
  ) {}

  /** A loose member went past the limit: the archive must stop here, since reading on means inflating it. */
  get stopped(): boolean {
    return this.cut;
  }

  /** Reads one member, whatever it turns out to be. */
  async add(member: Member): Promise<void> {
    const name = cleanPath(member.name);
    const { head, all } = await peek(member.stream as AsyncIterable<Buffer>, 512);
    const kind = sniff(head);
    if (kind === 'zstd') {
      this.result.problems.push(`${this.display}: ${name}: zstd-compressed layers are not supported`);
      await drain(all);
      return;
    }
    if (kind === 'gzip' || kind === 'tar') {
      try {
        const layer = await scanLayer(all, kind === 'gzip', this.limit);
        this.layers.set(name, layer);
        for (const p of layer.problems) this.result.problems.push(`${this.display}: ${name}: ${p}`);
      } catch (err) {
        this.result.problems.push(`${this.display}: ${name}: unreadable layer (${(err as Error).message})`);
      }
      // What the layer reader left unread: the member's own bytes, read as stored, not inflated.
      // A source that fails here already failed the layer above, or fails the archive's next read.
      await drain(all).catch(() => undefined);
      return;
    }
    if (kind === 'json' && member.size <= JSON_LIMIT) {
      const buf = await readAll(all, JSON_LIMIT);
      try {
        this.json.set(name, JSON.parse(buf?.toString('utf8') ?? ''));
        return;
      } catch {
        return this.loose(name, [buf ?? Buffer.alloc(0)]);
      }
    }
    return this.loose(name, all);
  }

  private async loose(name: string, source: AsyncIterable<Buffer> | Iterable<Buffer>): Promise<void> {
    const scanned = await scanStream(source, analyserFor(name), this.limit);
    this.count(1, scanned.bytes, scanned.binary ? 1 : 0);
    if (scanned.truncated) {
      this.cut = true;
      this.result.problems.push(`${this.display}: ${tooLarge(name, this.limit, 'it and the rest of the archive were')}`);
    }
    for (const m of scanned.matches) this.result.findings.push(toFinding(forPath(m, name), this.display, { path: name }));
  }

  private count(files: number, bytes: number, binary: number): void {
    this.result.counts.files += files;
    this.result.counts.bytes += bytes;
    this.result.counts.binary += binary;
  }

  /** Resolves layer order, whiteouts and configs; returns every finding. */
  async finish(): Promise<TargetScan> {
    const layouts = resolveImages(this.json);
    const used = new Set<string>();
    for (const image of layouts) this.image(image, used);
    for (const [key, layer] of this.layers) {
      if (!used.has(key)) this.layerFindings(layer, { layerDigest: digestOf(key) }, []);
    }
    for (const [key, value] of this.json) {
      if (!layouts.some((l) => l.metadata.has(key))) await this.loose(key, [Buffer.from(JSON.stringify(value, null, 1))]);
    }
    return this.result;
  }

  private image(image: ImageLayout, used: Set<string>): void {
    const cfg = image.config === undefined ? undefined : (this.json.get(image.config) as ImageConfig | undefined);
    const diffIds = Array.isArray(cfg?.rootfs?.diff_ids) ? (cfg.rootfs.diff_ids as unknown[]) : [];
    const stack = image.layers.map((k) => this.layers.get(k));
    image.layers.forEach((key, i) => {
      const layer = stack[i];
      if (!layer) {
        this.result.problems.push(`${this.display}: layer ${i + 1} (${key}) is listed in the manifest but missing from the archive`);
        return;
      }
      if (used.has(key)) return;
      used.add(key);
      const d = diffIds[i];
      const place: ImagePlace = { layer: i + 1, layerDigest: typeof d === 'string' ? d : digestOf(key) };
      this.layerFindings(layer, place, stack.slice(i + 1));
    });
    if (cfg) {
      for (const c of analyseConfig(cfg)) this.result.findings.push(toFinding({ ...c.match, line: 0, column: 0 }, this.display, { config: c.where }));
    }
  }

  private layerFindings(layer: LayerScan, place: ImagePlace, later: Array<LayerScan | undefined>): void {
    this.count(layer.counts.files, layer.counts.bytes, layer.counts.binary);
    for (const { path, match } of layer.matches) {
      const j = later.findIndex((l) => l !== undefined && removedBy(path, l));
      const where: ImagePlace = { ...place, path };
      if (j !== -1 && place.layer !== undefined) where.deletedInLayer = place.layer + j + 1;
      this.result.findings.push(toFinding(match, this.display, where));
    }
  }

}

function digestOf(key: string): string {
  const m = /blobs\/(sha256|sha512)\/([0-9a-f]{1,128})$/.exec(key);
  return m ? `${m[1]}:${m[2]}` : key;
}
