/**
 * src/vault/node-vault.ts as the start-up snapshot bundles it (scripts/start/bundle.js):
 * the bundle maps axios, which node-vault loads but we never call (we always pass our own
 * request function), to an empty module, so node-vault is required as it is.
 */
import type NodeVault from 'node-vault';

export function loadNodeVault(): typeof NodeVault {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('node-vault') as typeof NodeVault;
}
