/**
 * Targets on disk: a build-context directory (walked, `.git` skipped, symlinks not
 * followed, only regular files opened), a single file or Dockerfile, or an image archive
 * (docker-save or OCI tar, gzip or plain) or OCI layout directory.
 */
import { createReadStream, readdirSync, type Dirent } from 'node:fs';
import { lstat, opendir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { toFinding } from './finding';
import { localFileNameMatch } from './file-names';
import { forPath } from './fixture-paths';
import { ImageScan, type TargetScan } from './image';
import { analyserFor, MEMBER_LIMIT, tooLarge } from './layer';
import { drain, peek, sniff } from './stream-util';
import { isBinary, scanChunks, scanStream, type StreamScan } from './text-scanner';
import { chunksOf, closeFile, openFile, readWhole, sizeOf, type OpenFile } from './file-chunks';
import { inflateAtOnce, pieces, SMALL_GZIP } from './gzip-text';

/** Decides whether a path (relative to the target directory) is skipped without reading it. */
export type PathFilter = (display: string, rel: string) => boolean;

const emptyScan = (): TargetScan => ({ findings: [], problems: [], counts: { files: 0, bytes: 0, binary: 0, symlinks: 0, ignored: 0 } });

const reason = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? (err as Error).message;

/** The problem line for `display` that could not be read, and a scan holding only it. */
const cannotRead = (display: string, err: unknown): string => `${display}: cannot read (${reason(err)})`;
const unreadable = (display: string, err: unknown): TargetScan => ({ ...emptyScan(), problems: [cannotRead(display, err)] });

/** Scans one target named on the command line. */
export async function scanTarget(target: string, skip: PathFilter): Promise<TargetScan> {
  try {
    const st = await stat(target);
    if (st.isDirectory()) {
      const isOci = await lstat(join(target, 'oci-layout')).then((s) => s.isFile(), () => false);
      return isOci ? await scanOciDir(target) : await walkDir(target, skip);
    }
    if (!st.isFile()) return { ...emptyScan(), problems: [`${target}: not a regular file or directory`] };
    return await scanFile(target, target, target.split(/[\\/]/).pop() ?? target);
  } catch (err) {
    return unreadable(target, err);
  }
}

async function walkDir(root: string, skip: PathFilter): Promise<TargetScan> {
  const out = emptyScan();
  // Each directory with its path below the root, built name by name (path.relative per file resolves both paths again).
  const stack: Array<[string, string]> = [[root, '']];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [dir, below] = top;
    for (const d of listing(dir)) {
      // Below the root, a path is its directory's and the name (`join` would normalize again what is already normal).
      const streamed = visit(d, below === '' ? join(dir, d.name) : `${dir}${sep}${d.name}`, below === '' ? d.name : `${below}${sep}${d.name}`);
      if (streamed) merge(out, await streamed);
    }
  }
  return out;

  /** A directory's entries, read whole and synchronously like the files (file-chunks.ts): a promise per entry or per directory costs more than the listing. None when unreadable, with a problem. */
  function listing(dir: string): Dirent[] {
    try {
      return readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      out.problems.push(`${dir}: cannot read directory (${reason(err)})`);
      return [];
    }
  }

  /** One entry: its scan merged, or the promise of it when the file is an archive to stream. */
  function visit(d: Dirent, full: string, rel: string): Promise<TargetScan> | undefined {
    if (d.isSymbolicLink()) out.counts.symlinks++;
    else if (d.isDirectory() && d.name !== '.git') stack.push([full, rel]);
    else if (!d.isFile()) return undefined;
    else if (skip(full, rel)) out.counts.ignored++;
    else if (!scanLoose(full, full, rel, out)) return scanPacked(full, full, rel).catch((err: unknown) => unreadable(full, err));
    return undefined;
  }
}

/** A regular file: an image archive when it is a tar or gzip, text otherwise; `rel` tells a test fixture. */
async function scanFile(path: string, display: string, rel: string): Promise<TargetScan> {
  const out = emptyScan();
  return scanLoose(path, display, rel, out) ? out : await scanPacked(path, display, rel).catch((err: unknown) => unreadable(display, err));
}

/**
 * A regular file scanned synchronously, read and analysed without a promise, its findings,
 * problems and counts added to `out` (a directory's walk adds every file into one): text,
 * or a small gzip file of text inflated at once (gzip-text.ts). False, with nothing added,
 * when it is to be streamed instead: an archive, or a large gzip file.
 */
function scanLoose(path: string, display: string, rel: string, out: TargetScan): boolean {
  let file: OpenFile | undefined;
  try {
    file = openFile(path);
    const kind = sniff(file.head);
    if (kind !== 'tar' && kind !== 'gzip') return scanText(file, path, display, rel, out);
    const packed = kind === 'gzip' ? readWhole(file, SMALL_GZIP) : undefined;
    const inflated = packed && inflateAtOnce(packed);
    if (!inflated || sniff(inflated) === 'tar') return false;
    addInflated(scanChunks(pieces(inflated), analyserFor(inflatedPath(path)), MEMBER_LIMIT), path, display, rel, out);
  } catch (err) {
    out.problems.push(cannotRead(display, err));
  } finally {
    if (file) closeFile(file);
  }
  return true;
}

/** A text file (or a binary one, told by its first bytes and not read further), added to `out`. */
function scanText(file: OpenFile, path: string, display: string, rel: string, out: TargetScan): true {
  const named = localFileNameMatch(path);
  if (named) out.findings.push(toFinding(forPath(named, rel), display));
  out.counts.files++;
  if (isBinary(file.head)) {
    out.counts.binary++;
    out.counts.bytes += sizeOf(file);
    return true;
  }
  const scanned = scanChunks(chunksOf(file), analyserFor(path));
  out.counts.bytes += scanned.bytes;
  if (scanned.binary) out.counts.binary++;
  for (const m of scanned.matches) out.findings.push(toFinding(forPath(m, rel), display));
  return true;
}

/** A tar or gzip file: an image archive, or (`x.json.gz`) compressed text, bounded by the member limit. */
async function scanPacked(path: string, display: string, rel: string): Promise<TargetScan> {
  const { head, all } = await peek(createReadStream(path, { highWaterMark: 1 << 20 }), 512);
  if (sniff(head) === 'tar') return await scanArchive(all, display, false);
  // A gzip file is an archive when what it inflates to is a tar; otherwise its text is scanned.
  const inflated = await peek(Readable.from(all).pipe(createGunzip()), 512);
  if (sniff(inflated.head) === 'tar') return await scanArchive(inflated.all, display, false);
  const out = emptyScan();
  addInflated(await scanStream(inflated.all, analyserFor(inflatedPath(path)), MEMBER_LIMIT), path, display, rel, out);
  return out;
}

/** The path a gzip file's text is analysed as: `x.json.gz` as `x.json`. */
const inflatedPath = (path: string): string => path.replace(/\.t?gz$/i, '');

/** Gzip file `path`, whose inflated text (bounded by the member limit) was scanned, added to `out`. */
function addInflated(scanned: StreamScan, path: string, display: string, rel: string, out: TargetScan): void {
  const named = localFileNameMatch(path);
  if (named) out.findings.push(toFinding(forPath(named, rel), display));
  if (scanned.truncated) out.problems.push(`${display}: ${tooLarge('inflated text', MEMBER_LIMIT, 'the rest was')}`);
  out.counts.files++;
  out.counts.bytes += scanned.bytes;
  if (scanned.binary) out.counts.binary++;
  for (const m of scanned.matches) out.findings.push(toFinding(forPath(m, rel), display));
}

async function scanArchive(source: AsyncIterable<Buffer>, display: string, gzip: boolean): Promise<TargetScan> {
  const image = new ImageScan(display);
  // Loaded when first needed: a scan of source files reads no archive, and loading the reader is about 9 ms of module loading.
  const { extract } = await import('tar-stream');
  const ex = extract();
  const input = Readable.from(source);
  const tarStream = gzip ? input.pipe(createGunzip()) : input;
  tarStream.on('error', (err) => ex.destroy(err));
  tarStream.pipe(ex);
  let broken: string | undefined;
  try {
    for await (const entry of ex) {
      if (entry.header.type !== 'file' && entry.header.type !== 'contiguous-file') {
        await drain(entry);
        continue;
      }
      await image.add({ name: entry.header.name, size: entry.header.size ?? 0, stream: entry as AsyncIterable<Buffer> });
      if (image.stopped) break;
    }
  } catch (err) {
    broken = `${display}: unreadable archive (${(err as Error).message})`;
  }
  input.destroy();
  if (tarStream !== input) tarStream.destroy();
  const result = await image.finish();
  if (broken) result.problems.push(broken);
  return result;
}

async function scanOciDir(root: string): Promise<TargetScan> {
  const image = new ImageScan(root);
  const out = emptyScan();
  const stack = [root];
  for (let dir = stack.pop(); dir !== undefined; dir = stack.pop()) {
    for await (const d of await opendir(dir)) {
      const full = join(dir, d.name);
      if (d.isDirectory()) stack.push(full);
      else if (d.isFile()) {
        const st = await stat(full);
        const stream = createReadStream(full);
        await image.add({ name: relative(root, full).split(/[\\/]/).join('/'), size: st.size, stream });
        stream.destroy();
      } else if (d.isSymbolicLink()) out.counts.symlinks++;
    }
  }
  merge(out, await image.finish());
  return out;
}

/** Adds `b`'s findings, problems and counts to `a`, one by one: spreading 130,000 findings into push overflows the stack. */
export function merge(a: TargetScan, b: TargetScan): void {
  for (const f of b.findings) a.findings.push(f);
  for (const p of b.problems) a.problems.push(p);
  for (const k of Object.keys(a.counts) as Array<keyof TargetScan['counts']>) a.counts[k] += b.counts[k];
}
