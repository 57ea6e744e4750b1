/**
 * Runs the project's image under runc, as a user would run it: read-only root filesystem,
 * a numeric non-root user, no capabilities, no new privileges. The image comes from
 * `npm run image:build` (buildah's storage); its root filesystem is mounted once with
 * `buildah mount`. Containers share the host's network namespace so they reach the stack.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string };
/** The name `npm run image:build` tags the image with in buildah's storage. */
export const IMAGE = `localhost/secrets-broker:${pkg.version}`;

export interface ImageConfig {
  User: string;
  Entrypoint: string[];
  Env: string[];
  WorkingDir: string;
}

export interface MountedImage {
  rootfs: string;
  config: ImageConfig;
  release(): void;
}

/** Mounts the image's root filesystem (a buildah working container); release() removes it. */
export function mountImage(image = IMAGE): MountedImage {
  const name = `sb-e2e-${process.pid}-${Date.now().toString(36)}`;
  try {
    execFileSync('buildah', ['from', '--pull=never', '--name', name, image], { stdio: 'pipe' });
  } catch (err) {
    throw new Error(`image ${image} is not in buildah's storage: run npm run image:build (${String((err as { stderr?: Buffer }).stderr ?? err).trim()})`, { cause: err });
  }
  const rootfs = execFileSync('buildah', ['mount', name], { encoding: 'utf8' }).trim();
  const inspect = JSON.parse(execFileSync('buildah', ['inspect', '--type', 'image', image], { encoding: 'utf8' })) as {
    OCIv1: { config: ImageConfig };
  };
  return { rootfs, config: inspect.OCIv1.config, release: () => execFileSync('buildah', ['rm', name], { stdio: 'ignore' }) };
}

export interface RunOptions {
  args: string[];
  /** Run instead of the image's entrypoint (the args follow it). */
  command?: string[];
  /** uid:gid */
  user: [number, number];
  env?: Record<string, string>;
  /** host path -> container path; `rw` for a writable one. */
  binds?: { source: string; target: string; rw?: boolean }[];
}

export interface Running {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<number>;
  stop(): Promise<number>;
}

/** Starts `ENTRYPOINT args` from the mounted image under runc. */
export function runInImage(image: MountedImage, opts: RunOptions): Running {
  const bundle = mkdtempSync(join(tmpdir(), 'sb-runc-'));
  const id = `sb-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  writeFileSync(join(bundle, 'config.json'), JSON.stringify(bundleConfig(image, opts)));
  const child = spawn('runc', ['run', '--bundle', bundle, id], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number>((resolve) => {
    child.on('close', (code) => {
      execFileSync('runc', ['delete', '--force', id], { stdio: 'ignore' });
      rmSync(bundle, { recursive: true, force: true });
      resolve(code ?? -1);
    });
  });
  const stop = async (): Promise<number> => {
    try {
      execFileSync('runc', ['kill', id, 'TERM'], { stdio: 'ignore' });
    } catch {
      // already gone
    }
    return exited;
  };
  return { child, stdout: () => out, stderr: () => err, exited, stop };
}

/** Runs to completion; resolves the exit code and output. */
export async function runToEnd(image: MountedImage, opts: RunOptions): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = runInImage(image, opts);
  const code = await r.exited;
  return { code, stdout: r.stdout(), stderr: r.stderr() };
}

function bundleConfig(image: MountedImage, opts: RunOptions): object {
  const env = [...image.config.Env.filter((e) => !e.startsWith('HOME=')), 'HOME=/nonexistent', ...Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`)];
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: opts.user[0], gid: opts.user[1] },
      args: [...(opts.command ?? image.config.Entrypoint), ...opts.args],
      env,
      cwd: image.config.WorkingDir || '/',
      capabilities: { bounding: [], effective: [], permitted: [], inheritable: [], ambient: [] },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: image.rootfs, readonly: true },
    hostname: 'secrets-broker',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'] },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      ...(opts.binds ?? []).map((b) => ({ destination: b.target, type: 'bind', source: b.source, options: ['rbind', b.rw ? 'rw' : 'ro', 'nosuid', 'nodev'] })),
    ],
    linux: {
      namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
      maskedPaths: ['/proc/kcore', '/proc/keys', '/proc/timer_list', '/sys/firmware'],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
}
