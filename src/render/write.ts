/**
 * Atomic, symlink-safe file writes under the secrets mount.
 *
 * - Every parent component between the mount and the file is checked with lstat: a
 *   symlink is refused, a missing directory is created (0750, never world-accessible).
 * - The content goes to a temp file in the same directory, opened O_CREAT|O_EXCL|O_NOFOLLOW
 *   with the final mode, then fsync, then rename over the destination. rename never follows
 *   a link at the destination: a link planted there is replaced, its target untouched.
 * - If a parent is swapped for a link after the checks, the temp path no longer resolves
 *   and the rename fails: nothing is written outside the mount.
 * - Unchanged content (and mode) is not rewritten. On any failure the previous file stays.
 */
import { randomBytes } from 'node:crypto';
import { constants as C, promises as fs } from 'node:fs';
import path from 'node:path';
import { WriteError } from '../errors';

export interface WriteResult {
  changed: boolean;
}

const DIR_MODE = 0o750;

export async function writeSecretFile(mountPath: string, relFile: string, content: string, mode: number): Promise<WriteResult> {
  const dest = path.join(mountPath, relFile);
  const dir = path.dirname(dest);
  try {
    await ensureDir(mountPath, path.relative(mountPath, dir));
    if (await sameContent(dest, content, mode)) return { changed: false };
    await replace(dir, dest, content, mode);
    return { changed: true };
  } catch (err) {
    throw asWriteError(err, relFile);
  }
}

/** Walks from the mount down to `rel`, refusing links and creating what is missing. */
async function ensureDir(mountPath: string, rel: string): Promise<void> {
  await checkDirectory(mountPath, '(mount)');
  let cur = mountPath;
  for (const part of rel === '' ? [] : rel.split(path.sep)) {
    cur = path.join(cur, part);
    try {
      await fs.mkdir(cur, { mode: DIR_MODE });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    await checkDirectory(cur, part);
  }
}

async function checkDirectory(p: string, label: string): Promise<void> {
  const st = await fs.lstat(p);
  if (st.isSymbolicLink()) throw new WriteError('SYMLINK', `refusing to write through symlinked directory component "${label}"`);
  if (!st.isDirectory()) throw new WriteError('ENOTDIR', `path component "${label}" is not a directory`);
}

async function sameContent(dest: string, content: string, mode: number): Promise<boolean> {
  let fh: fs.FileHandle | undefined;
  try {
    fh = await fs.open(dest, C.O_RDONLY | C.O_NOFOLLOW | C.O_NONBLOCK);
    const st = await fh.stat();
    if (!st.isFile() || (st.mode & 0o777) !== mode || st.size !== Buffer.byteLength(content)) return false;
    return (await fh.readFile()).equals(Buffer.from(content));
  } catch {
    return false; // missing, a link (ELOOP), unreadable: write it
  } finally {
    await fh?.close();
  }
}

async function replace(dir: string, dest: string, content: string, mode: number): Promise<void> {
  const tmp = path.join(dir, `.${path.basename(dest)}.tmp-${randomBytes(6).toString('hex')}`);
  const fh = await fs.open(tmp, C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, mode);
  try {
    await fh.chmod(mode); // the umask must not change the requested mode
    await fh.writeFile(content);
    await fh.sync();
    await fh.close();
    await fs.rename(tmp, dest);
  } catch (err) {
    await fh.close().catch(() => undefined);
    await fs.unlink(tmp).catch(() => undefined);
    throw err;
  }
  await syncDir(dir);
}

async function syncDir(dir: string): Promise<void> {
  const d = await fs.open(dir, C.O_RDONLY | C.O_DIRECTORY).catch(() => undefined);
  await d?.sync().catch(() => undefined);
  await d?.close();
}

function asWriteError(err: unknown, relFile: string): WriteError {
  if (err instanceof WriteError) return new WriteError(err.reason, `${relFile}: ${err.message}`);
  const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
  const why: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on the volume',
    EDQUOT: 'quota exceeded',
    ELOOP: 'refusing to follow a symlink',
    ENOENT: 'a directory vanished or was swapped during the write',
  };
  return new WriteError(code, `${relFile}: cannot write (${why[code] ?? code})`, { cause: err });
}
