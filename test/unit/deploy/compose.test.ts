/**
 * docker-compose.yml, checked without Docker: every image pinned, every build context,
 * Dockerfile, bind mount and script it names exists in the repository, and every service
 * runs locked down (not privileged, no capabilities, read-only root, no-new-privileges,
 * a numeric non-root user, ports on loopback only, no credentials in the environment).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

const root = resolve(__dirname, '..', '..', '..');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, any>;
  volumes?: Record<string, any>;
};
const services = Object.entries(compose.services);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

/** Bind mounts as [hostPath, containerPath]; named volumes are skipped. */
function binds(svc: any): [string, string][] {
  return ((svc.volumes ?? []) as (string | { type: string; source: string; target: string })[])
    .map((v) => (typeof v === 'string' ? v.split(':') : v.type === 'bind' ? [v.source, v.target] : []))
    .filter((p): p is [string, string] => p.length >= 2 && (p[0]!.startsWith('.') || p[0]!.startsWith('/')))
    .map(([h, c]) => [h, c]);
}

it('has the quickstart services', () => {
  expect(Object.keys(compose.services).sort()).toEqual(['app', 'bootstrap', 'keys', 'sidecar', 'vault']);
});

it.each(services)('%s: its image is pinned to a version (no latest, no bare name)', (_name, svc) => {
  expect(typeof svc.image).toBe('string');
  const image = svc.image as string;
  const pinned = /@sha256:[a-f0-9]{64}$/.test(image) || /:[0-9]+\.[0-9]+\.[0-9]+[A-Za-z0-9._-]*$/.test(image);
  expect(pinned).toBe(true);
  expect(image).not.toMatch(/:latest$/);
});

it('our image is tagged with the package version and built from the Dockerfile', () => {
  const ours = services.filter(([, s]) => (s.image as string).startsWith('secrets-broker:'));
  expect(ours.length).toBeGreaterThanOrEqual(3);
  for (const [, s] of ours) {
    expect(s.image).toBe(`secrets-broker:${pkg.version}`);
    expect(s.build).toBeDefined();
  }
});

it.each(services.filter(([, s]) => s.build))('%s: build context and Dockerfile exist', (_name, svc) => {
  const build = typeof svc.build === 'string' ? { context: svc.build } : svc.build;
  const context = join(root, build.context as string);
  expect(statSync(context).isDirectory()).toBe(true);
  expect(existsSync(join(context, (build.dockerfile as string | undefined) ?? 'Dockerfile'))).toBe(true);
});

it.each(services)('%s: every bind mount source exists and is mounted read-only', (_name, svc) => {
  for (const [host] of binds(svc)) expect(existsSync(join(root, host))).toBe(true);
  const specs = (svc.volumes ?? []) as string[];
  for (const v of specs.filter((s) => typeof s === 'string' && s.startsWith('.'))) expect(v).toMatch(/:ro$/);
});

it.each(services)('%s: every script its entrypoint or command names exists in the repository', (_name, svc) => {
  const words = [...(svc.entrypoint ?? []), ...(svc.command ?? [])].filter((w: unknown): w is string => typeof w === 'string');
  const mounts = binds(svc);
  // The broker image's own CLI: the Dockerfile must put it there.
  const imageCli = '/app/dist/src/cli/bin.js';
  if (words.includes(imageCli)) expect(readFileSync(join(root, 'Dockerfile'), 'utf8')).toContain(`ENTRYPOINT ["node", "${imageCli}"]`);
  for (const word of words.filter((w) => /^\/.*\.(js|sh)$/.test(w) && w !== imageCli)) {
    const mount = mounts.find(([, c]) => word.startsWith(`${c}/`));
    expect(mount).toBeDefined();
    expect(existsSync(join(root, mount![0], word.slice(mount![1].length)))).toBe(true);
  }
});

it.each(services)('%s: locked down (not privileged, caps dropped, read-only root, no-new-privileges, non-root)', (_name, svc) => {
  expect(svc.privileged ?? false).toBe(false);
  expect(svc.cap_drop).toEqual(['ALL']);
  expect(svc.cap_add ?? []).toEqual([]);
  expect(svc.read_only).toBe(true);
  expect(svc.security_opt).toContain('no-new-privileges:true');
  expect(svc.user).toMatch(/^[1-9][0-9]*:[1-9][0-9]*$/);
  for (const key of ['network_mode', 'pid', 'ipc', 'userns_mode']) expect(svc[key]).not.toBe('host');
  expect(svc.devices ?? []).toEqual([]);
});

it.each(services)('%s: published ports listen on loopback only', (_name, svc) => {
  for (const p of (svc.ports ?? []) as string[]) expect(String(p)).toMatch(/^127\.0\.0\.1:/);
});

it.each(services)('%s: no token, password or key in its environment or command', (_name, svc) => {
  const env = svc.environment ?? {};
  for (const key of Object.keys(env)) expect(key).not.toMatch(/TOKEN$|PASSWORD|SECRET_ID|PRIVATE/);
  expect(JSON.stringify([svc.environment, svc.command, svc.entrypoint])).not.toMatch(/hvs\.|s\.[A-Za-z0-9]{24}|eyJ[A-Za-z0-9_-]{10,}|BEGIN [A-Z ]*PRIVATE KEY/);
});

it('every named volume is an in-memory tmpfs', () => {
  for (const [name, vol] of Object.entries(compose.volumes ?? {})) {
    expect([name, vol.driver_opts?.type]).toEqual([name, 'tmpfs']);
  }
});

it('the sidecar gets the contract settings: JWT auth, a token file, a valid spec', () => {
  const env = compose.services.sidecar.environment as Record<string, string>;
  expect(env.VAULT_AUTH_METHOD).toBe('jwt');
  expect(env.VAULT_AUTH_PATH).toBe('auth/jwt');
  expect(env.VAULT_ADDR).toMatch(/^https:\/\//);
  expect(env.SIDECAR_TOKEN_FILE).toBeDefined();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { decodeSpec } = require('../../../src/spec') as typeof import('../../../src/spec');
  expect(decodeSpec(env.SECRETS_BROKER_SPEC!).secrets.map((s) => s.path)).toEqual(['secret/data/demo/config']);
  expect(compose.services.sidecar.command).toEqual(['sidecar']);
});

it('the sidecar starts as the injector starts it: the same node flags and TLS environment', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { IMAGE_CLI, sidecarLaunch } = require('../../../src/sidecar-env') as typeof import('../../../src/sidecar-env');
  const env = compose.services.sidecar.environment as Record<string, string>;
  const launch = sidecarLaunch(env.VAULT_CACERT);
  expect(compose.services.sidecar.entrypoint).toEqual(['node', ...launch.nodeFlags, IMAGE_CLI]);
  expect(env).toMatchObject(launch.env);
});

it('the app starts once the sidecar is ready (its startup probe), as in a pod', () => {
  expect(compose.services.app.depends_on).toEqual({ sidecar: { condition: 'service_healthy' } });
  expect(compose.services.sidecar.healthcheck.test).toEqual(['CMD', 'secrets-broker', 'sidecar', '--probe']);
});

it('the app mounts the secrets read-only and runs as another user', () => {
  expect(compose.services.app.volumes).toContain('secrets:/secrets:ro');
  expect(compose.services.app.user).not.toBe(compose.services.sidecar.user);
});
