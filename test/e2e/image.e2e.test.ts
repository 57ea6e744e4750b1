/**
 * The image from `npm run image:build`, checked as a user runs it: every command under runc
 * with a read-only root filesystem as a numeric non-root user, what is (not) in it, and the
 * scanner over its own archive, plus a throwaway image with a planted, whiteout-deleted
 * secret to prove that check can fail.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCert } from '../helpers/tls';
import { IMAGE, mountImage, runInImage, runToEnd, type MountedImage } from './helpers/oci';
import { freePort, kubectl, stack, uniqueName, vault, waitFor } from './helpers';
import { cacheDir } from '../helpers/cache-dir';
import { plant } from '../helpers/fake-secrets';
import { IMAGE_CLI, IMAGE_START_MANIFEST, IMAGE_START_SNAPSHOT, sidecarLaunch } from '../../src/sidecar-env';

jest.setTimeout(180_000);

const repo = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string; devDependencies: Record<string, string> };
const archive = join(process.env.SB_IMAGE_DIR ?? join(cacheDir(), 'image'), `secrets-broker-${pkg.version}.docker.tar`);
const cli = join(repo, 'dist', 'src', 'cli', 'bin.js');
/** The image's own user, and the sidecar's default user and file group (SIDECAR_RUN_AS_USER). */
const USERS: [string, [number, number]][] = [
  ['the image user 65532', [65532, 65532]],
  ['the sidecar user 65530', [65530, 65530]],
];

let image: MountedImage;
beforeAll(() => {
  if (!existsSync(archive)) throw new Error(`${archive} missing: run npm run image:build`);
  image = mountImage();
});
afterAll(() => image?.release());

function httpsStatus(port: number, path: string, ca: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, ca, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

describe('the image under runc, read-only root, non-root user', () => {
  it('is configured to run as the numeric non-root user 65532', () => {
    expect(image.config.User).toBe('65532:65532');
    expect(image.config.Entrypoint).toEqual(['node', '/app/dist/src/cli/bin.js']);
  });

  it.each(USERS)('--version as %s', async (_who, user) => {
    const r = await runToEnd(image, { args: ['--version'], user });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(pkg.version);
    expect(r.code).toBe(0);
  });

  it.each(USERS)('injector answers /healthz over TLS with a generated certificate, as %s', async (_who, user) => {
    const cert = makeCert();
    for (const f of [cert.certFile, cert.keyFile]) chownSync(f, user[0], user[1]);
    chmodSync(cert.dir, 0o755);
    const port = await freePort();
    const r = runInImage(image, {
      args: ['injector'],
      user,
      binds: [{ source: cert.dir, target: '/tls' }],
      env: {
        INJECTOR_PORT: String(port),
        INJECTOR_BIND_ADDRESS: '127.0.0.1',
        INJECTOR_TLS_CERT_FILE: '/tls/tls.crt',
        INJECTOR_TLS_KEY_FILE: '/tls/tls.key',
        VAULT_ADDR: 'https://vault.vault.svc:8200',
        SIDECAR_IMAGE: `secrets-broker:${pkg.version}`,
      },
    });
    try {
      await waitFor('the injector in the image to answer /healthz', async () => (await httpsStatus(port, '/healthz', cert.cert)) === 200 || r.child.exitCode !== null, { timeoutMs: 30_000, detail: () => r.stderr() });
      expect(await httpsStatus(port, '/healthz', cert.cert)).toBe(200);
    } finally {
      await r.stop();
      rmSync(cert.dir, { recursive: true, force: true });
    }
    expect(r.stderr()).not.toMatch(/EROFS|EACCES/);
  });

  it.each(USERS)('sidecar loads its modules from the build-time compile cache and writes nothing to it, as %s', async (_who, user) => {
    const spec = { version: 1, role: 'app', mountPath: '/secrets', lifecycle: 'sidecar', rotateIntervalSeconds: 60, notify: { kind: 'none' }, secrets: [{ name: 'a', path: 'secret/data/a', file: 'a.json', format: 'json', mode: 0o440 }] };
    // No Vault address: the sidecar loads its modules, then stops on the missing setting.
    const r = await runToEnd(image, { args: ['sidecar'], user, env: { SECRETS_BROKER_SPEC: JSON.stringify(spec), NODE_DEBUG_NATIVE: 'COMPILE_CACHE' } });
    expect(r.code).toBe(2);
    for (const file of ['/app/dist/src/cli/bin.js', '/app/dist/sidecar/main.js', '/app/dist/src/vault/client.js', '/app/node_modules/pino/pino.js']) {
      expect(r.stderr).toContain(`V8 code cache for CommonJS ${file} was accepted`);
    }
    expect(r.stderr).not.toMatch(/was rejected|EROFS|EACCES/);
  });

  it.each(USERS)('sidecar --once renders a secret from the stack\'s Vault, as %s', async (_who, user) => {
    const s = stack();
    const ns = uniqueName('image');
    const id = ns.replace(/[^a-z0-9]/g, '');
    const work = mkdtempSync(join(tmpdir(), 'sb-image-'));
    const secrets = join(work, 'secrets');
    execFileSync('mkdir', ['-m', '0770', secrets]);
    chownSync(secrets, user[0], user[1]);
    chmodSync(work, 0o755);
    writeFileSync(join(work, 'ca.pem'), readFileSync(s.VAULT_CACERT));
    try {
      await kubectl(['create', 'namespace', ns]);
      await kubectl(['-n', ns, 'create', 'serviceaccount', 'app']);
      writeFileSync(join(work, 'token'), (await kubectl(['-n', ns, 'create', 'token', 'app', '--duration', '10m', '--audience', 'vault'])).trim());
      chmodSync(join(work, 'token'), 0o644);
      await vault('PUT', `sys/policies/acl/image-${id}`, { policy: `path "secret/data/image/${id}" { capabilities = ["read"] }\npath "sys/internal/ui/mounts/*" { capabilities = ["read"] }` });
      await vault('POST', `auth/kubernetes/role/image-${id}`, { bound_service_account_names: 'app', bound_service_account_namespaces: ns, audience: 'vault', token_policies: `image-${id}`, token_ttl: '60s' });
      await vault('POST', `secret/data/image/${id}`, { data: { user: 'app', password: `pw-${id}` } });
      const spec = { version: 1, role: `image-${id}`, mountPath: '/secrets', lifecycle: 'init-only', rotateIntervalSeconds: 300, notify: { kind: 'none' }, secrets: [{ name: 'db', path: `secret/data/image/${id}`, file: 'db.json', format: 'json', mode: 0o440 }] };
      const r = await runToEnd(image, {
        args: ['sidecar', '--once'],
        user,
        binds: [
          { source: secrets, target: '/secrets', rw: true },
          { source: join(work, 'token'), target: '/var/run/secrets/secrets-broker/token' },
          { source: join(work, 'ca.pem'), target: '/etc/secrets-broker/vault-ca.pem' },
        ],
        env: {
          SECRETS_BROKER_SPEC: JSON.stringify(spec),
          VAULT_ADDR: s.VAULT_ADDR,
          VAULT_CACERT: '/etc/secrets-broker/vault-ca.pem',
          POD_NAME: 'web',
          POD_NAMESPACE: ns,
        },
      });
      expect(r.code).toBe(0);
      const written = join(secrets, 'db.json');
      expect(JSON.parse(readFileSync(written, 'utf8'))).toEqual({ user: 'app', password: `pw-${id}` });
      expect(lstatSync(written).uid).toBe(user[0]);
      expect(lstatSync(written).mode & 0o777).toBe(0o440);
      expect(r.stdout + r.stderr).not.toContain(`pw-${id}`);
    } finally {
      rmSync(work, { recursive: true, force: true });
      await kubectl(['delete', 'namespace', ns, '--wait=false']).catch(() => undefined);
    }
  });
});

describe('the sidecar\'s start-up snapshot', () => {
  const SPEC = { version: 1, role: 'app', mountPath: '/secrets', lifecycle: 'sidecar', rotateIntervalSeconds: 60, notify: { kind: 'none' }, secrets: [{ name: 'a', path: 'secret/data/a', file: 'a.json', format: 'json', mode: 0o440 }] };
  /** The command the injector gives the sidecar when it names the snapshot. */
  const command = ['node', ...sidecarLaunch(undefined, IMAGE_START_SNAPSHOT).nodeFlags, IMAGE_CLI];

  it('its manifest names the image\'s own node and architecture, and the files are read-only', async () => {
    const r = await runToEnd(image, { command: ['node', '-p', 'JSON.stringify({ node: process.version, arch: process.arch })'], args: [], user: [65532, 65532] });
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(join(image.rootfs, IMAGE_START_MANIFEST), 'utf8'))).toEqual(JSON.parse(r.stdout));
    for (const f of [IMAGE_START_SNAPSHOT, IMAGE_START_MANIFEST]) expect(lstatSync(join(image.rootfs, f)).mode & 0o777).toBe(0o444);
  });

  it('the injector in the image names it for a sidecar image of its own release only', async () => {
    const probe = `const m = require('/app/dist/src/start/manifest.js'); process.stdout.write(JSON.stringify([m.imageStartSnapshot('registry.example/secrets-broker:${pkg.version}'), m.imageStartSnapshot('secrets-broker:0.0.0') ?? 'none']))`;
    const r = await runToEnd(image, { command: ['node', '-e', probe], args: [], user: [65532, 65532] });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([IMAGE_START_SNAPSHOT, 'none']);
  });

  it.each(USERS)('the sidecar starts from it with the injector\'s command, loading no module from disk, as %s', async (_who, user) => {
    // No Vault address: the sidecar stops on the missing setting; the compile cache logs every module read from disk.
    const r = await runToEnd(image, { command, args: ['sidecar'], user, env: { SECRETS_BROKER_SPEC: JSON.stringify(SPEC), NODE_DEBUG_NATIVE: 'COMPILE_CACHE' } });
    expect(r.stderr).toContain('secrets-broker: VAULT_ADDR: required setting is missing');
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/V8 code cache for CommonJS|EROFS|EACCES/);
  });

  it('other command lines go to the CLI file: --version', async () => {
    const r = await runToEnd(image, { command, args: ['--version'], user: [65532, 65532] });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(pkg.version);
    expect(r.code).toBe(0);
  });
});

describe('what the image holds', () => {
  it.each(['usr/local/bin/npm', 'usr/local/bin/npx', 'usr/local/bin/corepack', 'usr/local/bin/yarn', 'usr/local/lib/node_modules', 'usr/local/etc/npmrc'])(
    'has no %s',
    (p) => expect(existsSync(join(image.rootfs, p))).toBe(false),
  );

  const appFiles = (): string[] => {
    const out: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        out.push(p);
        if (e.isDirectory()) walk(p);
      }
    };
    walk(join(image.rootfs, 'app'));
    return out;
  };

  it('has no tests, TypeScript sources, declarations or source maps under /app', () => {
    const bad = appFiles().filter((p) => /\.(test|spec)\.[cm]?[jt]s$|\.map$|\.ts$/.test(p) || /\/(test|tests|__tests__)$/.test(p));
    expect(bad).toEqual([]);
  });

  it('has no development dependencies', () => {
    const present = Object.keys(pkg.devDependencies).filter((d) => existsSync(join(image.rootfs, 'app', 'node_modules', d)));
    expect(present).toEqual([]);
  });

  it('every file under /app is owned by root and writable by nobody else', () => {
    const bad = appFiles().filter((p) => {
      const st = lstatSync(p);
      return st.uid !== 0 || st.gid !== 0 || (!st.isSymbolicLink() && (st.mode & 0o022) !== 0);
    });
    expect(bad.map((p) => p.slice(image.rootfs.length))).toEqual([]);
  });
});

describe('the scanner over the image', () => {
  it('finds nothing in the image\'s own archive, with no ignore file', () => {
    // Exit 0 at the lowest threshold: not one finding of any severity.
    const out = execFileSync(process.execPath, [cli, 'scan', '--format', 'json', '--fail-on', 'low', archive], { encoding: 'utf8', maxBuffer: 64 << 20, cwd: tmpdir() });
    const report = JSON.parse(out) as { findings: unknown[]; problems: unknown[] };
    expect(report.findings).toEqual([]);
    expect(report.problems).toEqual([]);
  });

  it('finds a secret planted in a throwaway image on top of it, though a later layer deletes it', () => {
    const work = mkdtempSync(join(tmpdir(), 'sb-planted-'));
    const name = uniqueName('sb-planted');
    const key = plant('aws-access-key-id', 12);
    const planted = join(work, 'aws.env');
    writeFileSync(planted, `${key.text}\n`);
    const b = (...args: string[]): string => execFileSync('buildah', args, { encoding: 'utf8' }).trim();
    const first = b('from', '--pull=never', IMAGE);
    let second = '';
    try {
      b('copy', first, planted, '/app/aws.env');
      b('commit', '--quiet', first, `localhost/${name}:with`);
      second = b('from', '--pull=never', `localhost/${name}:with`);
      rmSync(join(b('mount', second), 'app', 'aws.env'));
      b('commit', '--quiet', second, `localhost/${name}:deleted`);
      const tar = join(work, 'planted.tar');
      b('push', '--quiet', `localhost/${name}:deleted`, `docker-archive:${tar}:${name}:deleted`);
      let code = 0;
      let out = '';
      try {
        out = execFileSync(process.execPath, [cli, 'scan', '--format', 'json', tar], { encoding: 'utf8', maxBuffer: 64 << 20 });
      } catch (err) {
        code = (err as { status: number }).status;
        out = String((err as { stdout: string }).stdout);
      }
      expect(code).toBe(1);
      const findings = (JSON.parse(out) as { findings: { path?: string; file?: string; deleted?: unknown; rule: string }[] }).findings;
      const hits = findings.filter((f) => JSON.stringify(f).includes('app/aws.env'));
      expect(hits.length).toBeGreaterThan(0);
      expect(JSON.stringify(hits)).not.toContain(key.secret);
    } finally {
      for (const c of [first, second]) if (c) b('rm', c);
      execFileSync('buildah', ['rmi', '--force', `localhost/${name}:with`, `localhost/${name}:deleted`], { stdio: 'ignore' });
      rmSync(work, { recursive: true, force: true });
    }
  });
});
