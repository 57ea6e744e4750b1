/**
 * One image layer (a tar, gzip or plain), streamed: every regular file is scanned as it
 * passes, whiteouts are recorded; nothing is written to disk, so hostile paths
 * (`../x`, absolute, symlinks) are only labels.
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { textKind } from './code-files';
import { isDockerfileName, analyseDockerfile } from './dockerfile';
import type { LocatedMatch } from './finding';
import { matchText, type RawMatch } from './match';
import { borrowed, cleanPath, drain } from './stream-util';
import { fileNameMatch } from './file-names';
import { forPath } from './fixture-paths';
import { scanStream, type Analyse } from './text-scanner';

/** A match and the path of the file it is in. */
export interface PathMatch {
  path: string;
  match: LocatedMatch;
}

/** What a layer holds that matters after all layers are read. */
export interface LayerScan {
  matches: PathMatch[];
  /** Paths deleted by `.wh.<name>` entries. */
  whiteouts: Set<string>;
  /** Directories emptied by `.wh..wh..opq` entries. */
  opaque: Set<string>;
  /** Every regular file path, to tell when a later layer replaces a file. */
  files: Set<string>;
  counts: { files: number; bytes: number; binary: number };
  /** Why part of the layer was not scanned (a member over the size limit). */
  problems: string[];
}

/** Most uncompressed bytes read from one archive member (a file in a layer, a loose blob): a bound on inflation work. */
export const MEMBER_LIMIT = 1 << 30;

/** The problem line for a member cut at `limit` bytes. */
export function tooLarge(name: string, limit: number, rest: string): string {
  return `${name}: larger than ${limit} bytes uncompressed; ${rest} not scanned`;
}

/** Analysis chosen by file name: Dockerfile checks for Dockerfiles, the general rules otherwise, read as code, docs or text (code-files.ts). */
export function analyserFor(path: string): Analyse {
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (isDockerfileName(base)) return analyseDockerfile;
  const withBytes = (text: string, bytes?: Uint8Array): RawMatch[] => matchText(text, textKind(base, text), undefined, bytes);
  const analyse: Analyse = (text: string) => withBytes(text);
  analyse.withBytes = withBytes;
  return analyse;
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i === -1 ? '' : path.slice(0, i);
}

type Entry = AsyncIterable<Buffer> & { header: { name: string; type: string | null } };

/** One tar entry into `out`; false when it went past `limit` and the layer must stop. */
async function scanEntry(out: LayerScan, entry: Entry, limit: number): Promise<boolean> {
  const path = cleanPath(entry.header.name);
  const base = path.split('/').pop() ?? '';
  const type = entry.header.type;
  if (type !== 'file' && type !== 'contiguous-file') {
    await drain(entry);
    return true;
  }
  if (base.startsWith('.wh.')) {
    if (base === '.wh..wh..opq') out.opaque.add(parentOf(path));
    else out.whiteouts.add(`${parentOf(path) === '' ? '' : parentOf(path) + '/'}${base.slice(4)}`);
    await drain(entry);
    return true;
  }
  out.files.add(path);
  const named = fileNameMatch(path);
  if (named) out.matches.push({ path, match: forPath(named, path) });
  const scanned = await scanStream(entry, analyserFor(path), limit);
  out.counts.files++;
  out.counts.bytes += scanned.bytes;
  if (scanned.binary) out.counts.binary++;
  for (const match of scanned.matches) out.matches.push({ path, match: forPath(match, path) });
  if (scanned.truncated) out.problems.push(tooLarge(path, limit, 'it and the rest of the layer were'));
  return !scanned.truncated;
}

/**
 * Streams a layer tar (gzip-compressed or not) and scans each regular file in it. A file
 * past `limit` uncompressed bytes ends the layer (inflating the rest is the attack),
 * with a problem; what was read before is kept. `source` is left open for the caller.
 */
export async function scanLayer(source: AsyncIterable<Buffer>, gzip: boolean, limit = MEMBER_LIMIT): Promise<LayerScan> {
  const out: LayerScan = { matches: [], whiteouts: new Set(), opaque: new Set(), files: new Set(), counts: { files: 0, bytes: 0, binary: 0 }, problems: [] };
  const { extract } = await import('tar-stream');
  const input = Readable.from(borrowed(source));
  const ex = extract();
  const tarStream = gzip ? input.pipe(createGunzip()) : input;
  tarStream.on('error', (err) => ex.destroy(err));
  tarStream.pipe(ex);
  for await (const entry of ex) {
    if (!(await scanEntry(out, entry as unknown as Entry, limit))) break;
  }
  input.destroy();
  if (tarStream !== input) tarStream.destroy();
  return out;
}

/** Is `path` deleted or replaced by `later`: a whiteout on it or an ancestor, an opaque ancestor, or a new file at the path? */
export function removedBy(path: string, later: LayerScan): boolean {
  if (later.files.has(path)) return true;
  for (let p = path; p !== ''; p = parentOf(p)) {
    if (later.whiteouts.has(p)) return true;
    if (p !== path && later.opaque.has(p)) return true;
  }
  return later.opaque.has('');
}
