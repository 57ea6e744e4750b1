#!/usr/bin/env node
/**
 * Bundles the sidecar's start-up snapshot entry (src/start/sidecar-snapshot.ts) into one
 * file, which `node --snapshot-blob <blob> --build-snapshot <file>` turns into a blob (the
 * Dockerfile does it with the image's own node; see docs/sidecar.md).
 *
 *   node scripts/start/bundle.js [out-file]     (default dist/start/sidecar-snapshot.js)
 *
 * What differs from the CLI's own module graph, and why:
 * - `node:http` and `node:https` become modules that load the real one at first use: node
 *   cannot serialize their parser binding into a snapshot. So does `node:assert`, which
 *   sonic-boom calls only on a misuse: one module less in the heap.
 * - axios, which node-vault loads but we never call, is an empty module, debug (its default
 *   debug output, which we always replace) a no-op, and src/vault/node-vault.ts is replaced
 *   by src/start/node-vault.ts (plain require).
 * - The CLI's other commands are left out: the snapshot runs `sidecar` only and hands any
 *   other command line to the CLI file on disk. commander becomes a stand-in too: the
 *   snapshot builds no argument parser, and its CommanderError is never thrown there.
 * - Packages the sidecar needs only after its start, or never, load from the image's
 *   node_modules at their first use (resolved from the CLI file, the command's last
 *   path): prom-client (the first /metrics scrape) and thread-stream (pino's transports,
 *   which the sidecar does not use). Left in, their module bodies made the heap each start
 *   deserializes about 0.5 MB larger.
 * - Whitespace and syntax are minified (names are kept).
 */
'use strict';
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.join(__dirname, '..', '..');
const out = process.argv[2] ?? path.join(root, 'dist', 'start', 'sidecar-snapshot.js');
const src = path.join(root, 'src');
const OTHER_COMMANDS = new Set(['injector', 'audit', 'scan', 'explain', 'policy', 'doctor'].map((c) => path.join(src, 'cli', c)));

/**
 * `module.exports` of a built-in loaded on first use: a Proxy onto it. Its keys are listed
 * from this node's module (an import copies them as getters, which read through the Proxy
 * only when used); a key the running node has and this one lacks is still read through it.
 */
const proxyOnto = `module.exports = new Proxy({}, {
  get: (_, key) => (key === '__esModule' ? undefined : load()[key]),
  has: (_, key) => keys.includes(key) || key in load(),
  ownKeys: () => keys,
  getOwnPropertyDescriptor: (_, key) => (keys.includes(key) ? { value: undefined, writable: true, enumerable: true, configurable: true } : undefined),
});
`;
const lazyBuiltin = (name) => `let real;
const load = () => (real ??= require('node:${name}'));
const keys = ${JSON.stringify(Object.keys(require(`node:${name}`)))};
${proxyOnto}`;

/** `module.exports` of a package loaded from disk on first use, from the CLI file's node_modules. */
const fromDisk = (name) => `let real;
const cli = () => require('node:path').resolve(process.argv[1] ?? require(${JSON.stringify(path.join(src, 'sidecar-env.ts'))}).IMAGE_CLI);
const load = () => (real ??= require('node:module').createRequire(cli())(${JSON.stringify(name)}));
const keys = ${JSON.stringify(Object.keys(require(require.resolve(name, { paths: [root] }))))};
${proxyOnto}`;

const FROM_DISK = ['prom-client', 'thread-stream'];

// node-vault's default debug output, which prints request bodies when DEBUG names it; we always pass our own (src/vault/client.ts).
const debugStandIn = 'module.exports = () => () => undefined;';

const commanderStandIn = `class CommanderError extends Error {}
const absent = (name) => function () { throw new Error('commander ' + name + ': not in the sidecar start-up snapshot'); };
module.exports = { CommanderError, Command: absent('Command'), Option: absent('Option') };
`;

const snapshotSafe = {
  name: 'snapshot-safe',
  setup(build) {
    build.onResolve({ filter: /^(node:)?(https?|assert)$/ }, (a) =>
      a.namespace === 'lazy-builtin' ? { path: a.path, external: true } : { path: a.path.replace(/^node:/, ''), namespace: 'lazy-builtin' },
    );
    build.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (a) => ({ contents: lazyBuiltin(a.path), loader: 'js', resolveDir: root }));
    build.onResolve({ filter: new RegExp(`^(${FROM_DISK.join('|')})$`) }, (a) => ({ path: a.path, namespace: 'from-disk' }));
    build.onLoad({ filter: /.*/, namespace: 'from-disk' }, (a) => ({ contents: fromDisk(a.path), loader: 'js', resolveDir: root }));
    build.onResolve({ filter: /^(commander|debug)$/ }, (a) => ({ path: a.path, namespace: 'stand-in' }));
    build.onLoad({ filter: /.*/, namespace: 'stand-in' }, (a) => ({ contents: a.path === 'debug' ? debugStandIn : commanderStandIn, loader: 'js' }));
    build.onResolve({ filter: /^axios$/ }, () => ({ path: 'axios', namespace: 'empty' }));
    build.onResolve({ filter: /\/node-vault$/ }, (a) =>
      path.join(a.resolveDir, a.path) === path.join(src, 'vault', 'node-vault') ? { path: path.join(src, 'start', 'node-vault.ts') } : undefined,
    );
    build.onResolve({ filter: /^\.\/[a-z]+$/ }, (a) => (OTHER_COMMANDS.has(path.join(a.resolveDir, a.path)) ? { path: a.path, namespace: 'left-out' } : undefined));
    build.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
    build.onLoad({ filter: /.*/, namespace: 'left-out' }, (a) => ({ contents: `throw new Error('${a.path}: not in the sidecar start-up snapshot');`, loader: 'js' }));
  },
};

esbuild
  .build({
    entryPoints: [path.join(src, 'start', 'sidecar-snapshot.ts')],
    tsconfig: path.join(root, 'tsconfig.build.json'),
    bundle: true,
    platform: 'node',
    format: 'iife',
    target: 'node20',
    outfile: out,
    plugins: [snapshotSafe],
    logLevel: 'warning',
    legalComments: 'none',
    // Whitespace and syntax only (names stay, for stack traces): a smaller heap to deserialize at every start.
    minifyWhitespace: true,
    minifySyntax: true,
  })
  .catch(() => {
    process.exitCode = 1;
  });
