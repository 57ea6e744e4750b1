import type { LocatedMatch } from './finding';

const KEY_STORE = /\.(?:p12|pfx|jks|keystore|kdbx)$|^id_(?:rsa|dsa|ecdsa|ed25519)$|^\.git-credentials$/;

/** A finding for a file whose name says it holds keys or credentials (binary key stores included); `path` has `/` separators. */
export function fileNameMatch(path: string): LocatedMatch | undefined {
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (!KEY_STORE.test(base)) return undefined;
  return {
    ruleId: 'key-store-file',
    title: 'Key store or credentials file in the scanned content',
    severity: 'medium',
    index: 0,
    secret: path,
    label: base,
    line: 1,
    column: 1,
  };
}

/**
 * fileNameMatch for a path of this machine, either separator; the path is rewritten with
 * `/` only when its name matches (every file of a directory scan is tested).
 */
export function localFileNameMatch(path: string): LocatedMatch | undefined {
  const base = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  return KEY_STORE.test(base) ? fileNameMatch(path.split(/[\\/]/).join('/')) : undefined;
}
