import { promises as fs, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WriteError } from '../../../src/errors';
import { writeSecretFile } from '../../../src/render/write';

let mount: string;
let outside: string;
beforeEach(() => {
  mount = mkdtempSync(path.join(os.tmpdir(), 'sb-mount-'));
  outside = mkdtempSync(path.join(os.tmpdir(), 'sb-outside-'));
});
afterEach(async () => {
  await fs.chmod(mount, 0o700).catch(() => undefined);
  await fs.rm(mount, { recursive: true, force: true });
  await fs.rm(outside, { recursive: true, force: true });
});

describe('writeSecretFile', () => {
  it('writes with the requested mode, creates subdirectories, leaves no temp files', async () => {
    await expect(writeSecretFile(mount, 'a/b/creds.json', '{"x":1}', 0o440)).resolves.toEqual({ changed: true });
    const st = await fs.stat(path.join(mount, 'a/b/creds.json'));
    expect(st.mode & 0o777).toBe(0o440);
    expect((await fs.stat(path.join(mount, 'a'))).mode & 0o007).toBe(0);
    expect(await fs.readdir(path.join(mount, 'a/b'))).toEqual(['creds.json']);
  });

  it('does not rewrite unchanged content, rewrites on a mode change', async () => {
    await writeSecretFile(mount, 'f', 'same', 0o440);
    const ino = (await fs.stat(path.join(mount, 'f'))).ino;
    await expect(writeSecretFile(mount, 'f', 'same', 0o440)).resolves.toEqual({ changed: false });
    expect((await fs.stat(path.join(mount, 'f'))).ino).toBe(ino);
    await expect(writeSecretFile(mount, 'f', 'same', 0o400)).resolves.toEqual({ changed: true });
  });

  it('replaces a symlink planted at the destination without touching its target', async () => {
    const target = path.join(outside, 'victim');
    await fs.writeFile(target, 'original');
    await fs.symlink(target, path.join(mount, 'f'));
    await writeSecretFile(mount, 'f', 'secret-content', 0o440);
    expect(readFileSync(target, 'utf8')).toBe('original');
    expect((await fs.lstat(path.join(mount, 'f'))).isFile()).toBe(true);
  });

  it('refuses a symlink planted at a parent component', async () => {
    await fs.symlink(outside, path.join(mount, 'dir'));
    const err = await writeSecretFile(mount, 'dir/f', 'secret-content', 0o440).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WriteError);
    expect((err as WriteError).reason).toBe('SYMLINK');
    expect(await fs.readdir(outside)).toEqual([]);
  });

  it('never writes outside the mount while a parent is swapped with a link (race)', async () => {
    await fs.mkdir(path.join(mount, 'dir'));
    let stop = false;
    const attacker = (async () => {
      while (!stop) {
        await fs.rename(path.join(mount, 'dir'), path.join(mount, 'real')).catch(() => undefined);
        await fs.symlink(outside, path.join(mount, 'dir')).catch(() => undefined);
        await new Promise((r) => setImmediate(r));
        await fs.unlink(path.join(mount, 'dir')).catch(() => undefined);
        await fs.rename(path.join(mount, 'real'), path.join(mount, 'dir')).catch(() => undefined);
      }
    })();
    for (let i = 0; i < 200; i++) await writeSecretFile(mount, 'dir/f', `v${i}`, 0o440).catch(() => undefined);
    stop = true;
    await attacker;
    expect(await fs.readdir(outside)).toEqual([]);
  });

  it('EACCES keeps the previous file and says why', async () => {
    await writeSecretFile(mount, 'f', 'good', 0o440);
    await fs.chmod(mount, 0o500);
    const asRoot = process.getuid?.() === 0;
    if (asRoot) process.seteuid!(65534); // root ignores modes: drop to nobody for the attempt
    let err: unknown;
    try {
      err = await writeSecretFile(mount, 'f', 'new', 0o440).catch((e: unknown) => e);
    } finally {
      if (asRoot) process.seteuid!(0);
    }
    expect(err).toBeInstanceOf(WriteError);
    expect((err as WriteError).reason).toBe('EACCES');
    expect((err as Error).message).toBe('f: cannot write (permission denied)');
    expect(readFileSync(path.join(mount, 'f'), 'utf8')).toBe('good');
  });

  it('a reader during rotation never sees a torn or empty file', async () => {
    const a = 'A'.repeat(256 * 1024);
    const b = 'B'.repeat(300 * 1024);
    await writeSecretFile(mount, 'big', a, 0o440);
    let stop = false;
    let reads = 0;
    const reader = (async () => {
      while (!stop) {
        const c = await fs.readFile(path.join(mount, 'big'), 'utf8');
        if (c !== a && c !== b) throw new Error(`torn read of ${c.length} bytes`);
        reads++;
      }
    })();
    for (let i = 0; i < 60; i++) await writeSecretFile(mount, 'big', i % 2 ? a : b, 0o440);
    stop = true;
    await expect(reader).resolves.toBeUndefined();
    expect(reads).toBeGreaterThan(0);
  });
});
