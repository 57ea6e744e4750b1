/**
 * Atomic, symlink-safe file writes under the secrets mount.
 *
 * - Directories are opened one component at a time with O_DIRECTORY|O_NOFOLLOW, each
 *   relative to the previous one's descriptor through /proc/self/fd (Linux's openat
 *   without native bindings): a symlinked component is refused, a missing one created
 *   (0750, never world-accessible), and a component swapped for a link after it was
 *   opened changes nothing, because every later step goes through the descriptor.
 * - The content goes to a temp file in that directory, opened O_CREAT|O_EXCL|O_NOFOLLOW
 *   with the final mode, then fsync, then rename over the destination within the same
 *   descriptor. rename never follows a link at the destination: a link planted there is
 *   replaced and its target left alone.
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
const DIR_FLAGS = C.O_RDONLY | C.O_DIRECTORY | C.O_NOFOLLOW;

export async function writeSecretFile(mountPath: string, relFile: string, content: string, mode: number): Promise<WriteResult> {
  const parts = relFile.split('/');
  const name = parts.pop() ?? relFile;
  let dir: fs.FileHandle | undefined;
  try {
    dir = await openDirChain(mountPath, parts);
    const at = `/proc/self/fd/${dir.fd}`;
    if (await sameContent(path.join(at, name), content, mode)) return { changed: false };
    await replace(at, name, content, mode);
    await dir.sync().catch(() => undefined);
    return { changed: true };
  } catch (err) {
    throw asWriteError(err, relFile);
  } finally {
    await dir?.close();
  }
}

/** Opens mount/parts... without following any link, creating missing directories. */
async function openDirChain(mountPath: string, parts: string[]): Promise<fs.FileHandle> {
  let fh = await openDir(mountPath, '(mount)');
  try {
    for (const part of parts) {
      const p = `/proc/self/fd/${fh.fd}/${part}`;
      await fs.mkdir(p, { mode: DIR_MODE }).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      });
      const next = await openDir(p, part);
      await fh.close();
      fh = next;
    }
    return fh;
  } catch (err) {
    await fh.close().catch(() => undefined);
    throw err;
  }
}

async function openDir(p: string, label: string): Promise<fs.FileHandle> {
  try {
    return await fs.open(p, DIR_FLAGS);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // With O_DIRECTORY Linux reports a symlink as ENOTDIR; lstat only picks the message.
    const link = code === 'ELOOP' || (code === 'ENOTDIR' && (await fs.lstat(p).then((st) => st.isSymbolicLink(), () => false)));
    if (link) throw new WriteError('SYMLINK', `refusing to write through symlinked directory component "${label}"`);
    if (code === 'ENOTDIR') throw new WriteError('ENOTDIR', `path component "${label}" is not a directory`);
    throw err;
  }
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

async function replace(dir: string, name: string, content: string, mode: number): Promise<void> {
  const dest = path.join(dir, name);
  const tmp = path.join(dir, `.${name}.tmp-${randomBytes(6).toString('hex')}`);
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
