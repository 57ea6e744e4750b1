/**
 * The Dockerfile and .dockerignore, checked without Docker (the image itself is built in CI
 * elsewhere): pinned base, multi-stage, production dependencies only, numeric non-root user,
 * exec-form entrypoint, nothing secret, and a build context limited to the sources.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..', '..', '..');
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const lines = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));
const instr = (name: string): string[] => lines.filter((l) => l.toUpperCase().startsWith(`${name} `)).map((l) => l.slice(name.length + 1).trim());
const args = Object.fromEntries(instr('ARG').map((a) => a.split('=') as [string, string]));
const froms = instr('FROM').map((f) => f.replace(/\$\{(\w+)\}/g, (_m, k: string) => args[k] ?? ''));

it('is multi-stage from a base pinned to an exact version', () => {
  expect(froms.length).toBeGreaterThanOrEqual(2);
  for (const f of froms) {
    const image = f.split(/\s+/)[0]!;
    expect(image).toMatch(/^[a-z0-9./-]+(:[0-9]+\.[0-9]+\.[0-9]+[A-Za-z0-9.-]*|@sha256:[a-f0-9]{64})$/);
  }
});

it('installs production dependencies only into the runtime image', () => {
  expect(dockerfile).toMatch(/npm install --omit=dev/);
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  expect(runtime).not.toMatch(/npm (ci|install)/);
  expect(runtime).toMatch(/COPY --from=deps .*node_modules/);
});

it('runs as a numeric non-root user with an exec-form entrypoint', () => {
  const users = instr('USER');
  expect(users.at(-1)).toMatch(/^[1-9][0-9]*(:[1-9][0-9]*)?$/);
  expect(JSON.parse(instr('ENTRYPOINT').at(-1)!)).toEqual(['node', '/app/dist/src/cli/bin.js']);
  // The injector gives sidecars `command: [secrets-broker]`.
  expect(dockerfile).toMatch(/ln -s \/app\/dist\/src\/cli\/bin\.js \/usr\/local\/bin\/secrets-broker/);
});

it('carries no secret and fetches nothing by URL', () => {
  expect(instr('ADD')).toEqual([]);
  for (const env of [...instr('ENV'), ...instr('ARG')]) expect(env).not.toMatch(/TOKEN|PASSWORD|SECRET|KEY/i);
  expect(dockerfile).not.toMatch(/curl|wget/);
});

it('.dockerignore allows only the sources into the build context', () => {
  const ignore = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  expect(ignore[0]).toBe('*');
  const allowed = ignore.filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/$/, ''));
  expect(allowed.sort()).toEqual(['injector', 'package-lock.json', 'package.json', 'scripts/start', 'sidecar', 'src', 'tsconfig.build.json', 'tsconfig.json']);
  for (const copied of instr('COPY').filter((c) => !c.startsWith('--from')).flatMap((c) => c.replace(/--chown=\S+\s+/, '').split(/\s+/).slice(0, -1))) {
    expect(allowed).toContain(copied.replace(/\/$/, ''));
  }
});

it('warms a module compile cache at build time as each user the image runs as, read-only at run time', () => {
  const runtime = lines.slice(lines.findLastIndex((l) => l.startsWith('FROM ')));
  const at = (re: RegExp): number => runtime.findIndex((l) => re.test(l));
  const env = at(/^ENV NODE_COMPILE_CACHE=\/app\/compile-cache$/);
  expect(env).toBeGreaterThan(runtime.findLastIndex((l) => l.startsWith('COPY ')));
  // Node keys the cache by user id: one warm-up as the sidecar's default user, one as the image's.
  const warms = runtime.flatMap((l, i) => (l.startsWith('RUN ') && l.includes('/app/dist/src/cli/bin.js sidecar') && !l.includes('--snapshot-blob') ? [i] : []));
  expect(warms.map((i) => runtime.slice(env, i).filter((l) => l.startsWith('USER ')).at(-1))).toEqual(['USER 65530:65530', 'USER 65532:65532']);
  for (const i of warms) expect(runtime[i]).toMatch(/test \$\? = 2\) && node -e "require\('node-vault'\)"$/);
  const seal = at(/^RUN .*chown -R 0:0 \/app\/compile-cache && chmod -R a=rX \/app\/compile-cache$/);
  expect(seal).toBeGreaterThan(Math.max(...warms));
  expect(runtime.slice(warms.at(-1), seal).filter((l) => l.startsWith('USER ')).at(-1)).toBe('USER 0:0');
  expect(runtime.filter((l) => l.startsWith('USER ')).at(-1)).toBe('USER 65532:65532');
});

it('builds the sidecar\'s start-up snapshot with the runtime image\'s own node, as root, and checks it starts the sidecar', () => {
  const build = lines.slice(0, lines.findLastIndex((l) => l.startsWith('FROM ')));
  expect(build.some((l) => /^RUN npm run build && node scripts\/start\/bundle\.js dist\/start\/sidecar-snapshot\.js /.test(l))).toBe(true);
  const runtime = lines.slice(lines.findLastIndex((l) => l.startsWith('FROM ')));
  const copy = runtime.findIndex((l) => /^COPY --from=build .*\/src\/dist\/start\/sidecar-snapshot\.js \.\/start\/sidecar-snapshot\.js$/.test(l));
  const snap = runtime.findIndex((l) => l.startsWith('RUN node --snapshot-blob /app/start/sidecar.blob --build-snapshot /app/start/sidecar-snapshot.js'));
  expect(copy).toBeGreaterThan(0);
  expect(snap).toBeGreaterThan(copy);
  // Before any USER line: root builds it, and the files are root's and read-only.
  expect(runtime.slice(0, snap).filter((l) => l.startsWith('USER '))).toEqual([]);
  // The manifest the injector checks (src/start/decide.ts), then one start from the snapshot: no Vault address exits 2.
  expect(runtime[snap]).toContain("JSON.stringify({ node: process.version, arch: process.arch }))' >/app/start/sidecar.json");
  expect(runtime[snap]).toMatch(/node --snapshot-blob \/app\/start\/sidecar\.blob \/app\/dist\/src\/cli\/bin\.js sidecar 2>\/dev\/null; test \$\? = 2\)/);
  expect(runtime[snap]).toMatch(/chmod 0444 \/app\/start\/sidecar\.blob \/app\/start\/sidecar\.json /);
});
