/**
 * node-vault, loaded at the first Vault client. The sidecar's start-up snapshot bundles a
 * replacement for this module (src/start/node-vault.ts, scripts/start/bundle.js).
 */
import path from 'node:path';
import type NodeVault from 'node-vault';

/**
 * node-vault loads axios at require time but never calls it when given its own request
 * function (we always pass one). Loading axios is about half of the sidecar's module
 * start-up, so it is replaced by an empty module for the duration of the require.
 */
export function loadNodeVault(): typeof NodeVault {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const Module = require('node:module') as typeof import('node:module') & { new (id: string): NodeJS.Module };
  const axiosPath = require.resolve('axios', { paths: [path.dirname(require.resolve('node-vault'))] });
  const placeholder = require.cache[axiosPath] === undefined;
  if (placeholder) {
    const m = new Module(axiosPath);
    m.loaded = true;
    m.exports = {};
    require.cache[axiosPath] = m;
  }
  try {
    return require('node-vault') as typeof NodeVault;
  } finally {
    if (placeholder) delete require.cache[axiosPath];
  }
  /* eslint-enable @typescript-eslint/no-require-imports */
}
