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
import { fileNameMatch } from './file-names';
import { forPath } from './fixture-paths';
import { ImageScan, type TargetScan } from './image';
import { analyserFor, MEMBER_LIMIT, tooLarge } from './layer';
import { drain, peek, sniff } from './stream-util';
import { isBinary, scanStream } from './text-scanner';
import { chunksOf, closeFile, openFile, readWhole, type OpenFile } from './file-chunks';
import { inflateAtOnce, pieces, SMALL_GZIP } from './gzip-text';

/** Decides whether a path (relative to the target directory) is skipped without reading it. */
export type PathFilter = (display: string, rel: string) => boolean;

const emptyScan = (): TargetScan => ({ findings: [], problems: [], counts: { files: 0, bytes: 0, binary: 0, symlinks: 0, ignored: 0 } });

const reason = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? (err as Error).message;

/** Scans one target named on the command line. */
export async function scanTarget(target: string, skip: PathFilter): Promise<TargetScan> {
  try {
    const st = await stat(target);
    if (st.isDirectory()) {
      const isOci = await lstat(join(target, 'oci-layout')).then((s) => s.isFile(), () => false);
      return isOci ? await scanOciDir(target) : await walkDir(target, skip);
    }
    if (!st.isFile()) return { ...emptyScan(), problems: [`${target}: not a regular file or directory`] };
    return await scanFile(target, target, true, target.split(/[\\/]/).pop() ?? target);
  } catch (err) {
    return { ...emptyScan(), problems: [`${target}: cannot read (${reason(err)})`] };
  }
}

async function walkDir(root: string, skip: PathFilter): Promise<TargetScan> {
  const out = emptyScan();
  // Each directory with its path below the root, built name by name (path.relative per file resolves both paths again).
  const stack: Array<[string, string]> = [[root, '']];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [dir, below] = top;
    try {
      // Read whole and synchronously, like the files (file-chunks.ts): a promise per entry or per directory costs more than the listing.
      // Below the root, a path is its directory's and the name (`join` would normalize again what is already normal).
      for (const d of readdirSync(dir, { withFileTypes: true })) await visit(d, below === '' ? join(dir, d.name) : `${dir}${sep}${d.name}`, below === '' ? d.name : `${below}${sep}${d.name}`);
    } catch (err) {
      out.problems.push(`${dir}: cannot read directory (${reason(err)})`);
    }
  }
  return out;

  async function visit(d: Dirent, full: string, rel: string): Promise<void> {
    if (d.isSymbolicLink()) out.counts.symlinks++;
    else if (d.isDirectory() && d.name !== '.git') stack.push([full, rel]);
    else if (!d.isFile()) return;
    else if (skip(full, rel)) out.counts.ignored++;
    else merge(out, await scanFile(full, full, true, rel));
  }
}

/** A regular file: an image archive when it is a tar or gzip and `archives` is on, text otherwise; `rel` tells a test fixture. */
async function scanFile(path: string, display: string, archives: boolean, rel: string): Promise<TargetScan> {
  let file: OpenFile | undefined;
  try {
    file = openFile(path);
    const kind = sniff(file.head);
    if (archives && (kind === 'tar' || kind === 'gzip')) {
      // A small gzip file of text is inflated at once (gzip-text.ts); archives and large files are streamed.
      const packed = kind === 'gzip' ? readWhole(file, SMALL_GZIP) : undefined;
      const inflated = packed && inflateAtOnce(packed);
      if (inflated && sniff(inflated) !== 'tar') return await scanInflated(pieces(inflated), path, display, rel);
      closeFile(file);
      file = undefined;
      return await scanPacked(path, display, rel);
    }
    return await scanText(file, path, display, rel);
  } catch (err) {
    return { ...emptyScan(), problems: [`${display}: cannot read (${reason(err)})`] };
  } finally {
    if (file) closeFile(file);
  }
}

/** A text file (or a binary one, told by its first bytes and not read further). */
async function scanText(file: OpenFile, path: string, display: string, rel: string): Promise<TargetScan> {
  const out = emptyScan();
  const named = fileNameMatch(path.split(/[\\/]/).join('/'));
  if (named) out.findings.push(toFinding(forPath(named, rel), display));
  out.counts.files = 1;
  if (isBinary(file.head)) {
    out.counts.binary = 1;
    out.counts.bytes = file.size;
    return out;
  }
  const scanned = await scanStream(chunksOf(file), analyserFor(path));
  out.counts.bytes = scanned.bytes;
  out.counts.binary = scanned.binary ? 1 : 0;
  for (const m of scanned.matches) out.findings.push(toFinding(forPath(m, rel), display));
  return out;
}

/** A tar or gzip file: an image archive, or (`x.json.gz`) compressed text, bounded by the member limit. */
async function scanPacked(path: string, display: string, rel: string): Promise<TargetScan> {
  const { head, all } = await peek(createReadStream(path, { highWaterMark: 1 << 20 }), 512);
  if (sniff(head) === 'tar') return await scanArchive(all, display, false);
  // A gzip file is an archive when what it inflates to is a tar; otherwise its text is scanned.
  const inflated = await peek(Readable.from(all).pipe(createGunzip()), 512);
  if (sniff(inflated.head) === 'tar') return await scanArchive(inflated.all, display, false);
  return await scanInflated(inflated.all, path, display, rel);
}

/** The inflated text of gzip file `path`, bounded by the member limit. */
async function scanInflated(source: AsyncIterable<Buffer> | Iterable<Buffer>, path: string, display: string, rel: string): Promise<TargetScan> {
  const out = emptyScan();
  const textPath = path.replace(/\.t?gz$/i, '');
  const named = fileNameMatch(path.split(/[\\/]/).join('/'));
  if (named) out.findings.push(toFinding(forPath(named, rel), display));
  const scanned = await scanStream(source, analyserFor(textPath), MEMBER_LIMIT);
  if (scanned.truncated) out.problems.push(`${display}: ${tooLarge('inflated text', MEMBER_LIMIT, 'the rest was')}`);
  out.counts.files = 1;
  out.counts.bytes = scanned.bytes;
  out.counts.binary = scanned.binary ? 1 : 0;
  for (const m of scanned.matches) out.findings.push(toFinding(forPath(m, rel), display));
  return out;
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
