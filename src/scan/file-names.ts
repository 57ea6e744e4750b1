import type { LocatedMatch } from './finding';

const KEY_STORE = /\.(?:p12|pfx|jks|keystore|kdbx)$|^id_(?:rsa|dsa|ecdsa|ed25519)$|^\.git-credentials$/;

/** A finding for a file whose name says it holds keys or credentials (binary key stores included). */
export function fileNameMatch(path: string): LocatedMatch | undefined {
  const base = path.split('/').pop() ?? '';
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
