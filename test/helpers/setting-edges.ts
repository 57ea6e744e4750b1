/**
 * Values at the edges of every row of SIDECAR_SETTINGS, generated from the row (below,
 * at and above each bound, every choice, empty) plus hand-picked texts for the rows whose
 * parser is more than a bound (addresses, mount paths, names). Used by the settings
 * property tests and the chart's.
 */
import { SIDECAR_SETTINGS, type SettingRow, type SidecarSettingKey } from '../../src/config/sidecar-settings';
import { formatSeconds } from '../../src/config/validators';

const TEXTS: Partial<Record<SidecarSettingKey, string[]>> = {
  vaultAddr: [
    'https://vault.vault.svc:8200', 'https://vault.vault.svc:8200/', 'https://10.0.0.7:8200/v1', 'https://VAULT.example.com',
    'http://vault.vault.svc:8200', 'http://127.0.0.1:8200', 'http://localhost:8200/', 'http://[::1]:8200', 'http://127.0.0.2:8200',
    'http://LOCALHOST:8200', 'https://user:pw@vault:8200', 'https://vault:8200?x=1', 'https://vault:8200#f', 'https://vault:8200/?',
    'ftp://vault:21', 'vault.vault.svc:8200', 'not a url', 'https://1.2.3.999', 'https://vault.123', 'https://vault:99999',
    'https://vault:65535', 'https://vault:0', "https://vault' || true", 'https://vault:8200/a b', `https://${'a'.repeat(300)}.svc`,
  ],
  vaultAuthPath: [
    'auth/kubernetes', 'kubernetes', 'jwt', 'jwt/prod', '/auth/kubernetes/', 'auth/jwt', 'auth', 'auth/', '/', 'auth//k8s',
    'auth/k8s$', 'a b', '../sys', 'auth/k8s\nx', 'x'.repeat(600),
  ],
  vaultNamespace: ['admin', 'admin/team-a', 'admin/', '/admin', 'admin//x', 'a b', 'team-ä', `${'n'.repeat(40)}/${'m'.repeat(40)}`, 'n/'.repeat(1000)],
  auditHashDevice: ['file', 'file/audit', 'file/', '/file', 'a b', 'file;rm', 'd'.repeat(2000)],
};

function integerEdges(r: SettingRow): string[] {
  const min = r.min ?? 0;
  const max = r.max ?? 0;
  return [min - 1, min, min + 1, max - 1, max, max + 1].map(String).concat(['0', '-1', '1e3', ' 8099', '8099.5', '0x1f90', 'abc']);
}

function durationEdges(r: SettingRow): string[] {
  const min = r.min ?? 0;
  const max = r.max ?? 0;
  const seconds = [min - 1, min, min + 1, max - 1, max, max + 1];
  return [...seconds.map(String), ...seconds.map(formatSeconds), '0', '0s', '5', '5m', '1h30m', '1.5m', '-5', '5 m', 'forever', '9999999999h', '5M'];
}

/** Every edge of one row, as environment text; '' is the empty (set but blank) value. */
export function edges(key: SidecarSettingKey): string[] {
  const r = SIDECAR_SETTINGS[key] as SettingRow;
  const common = ['', ...(r.default !== undefined ? [r.default] : [])];
  switch (r.type) {
    case 'integer':
      return [...common, ...integerEdges(r)];
    case 'duration':
      return [...common, ...durationEdges(r)];
    case 'enum':
      return [...common, ...(r.choices ?? []), ...(r.choices ?? []).map((c) => c.toUpperCase()), 'bogus'];
    case 'boolean':
      return [...common, 'true', 'false', '1', '0', 'yes', 'no', 'on', 'off', 'TRUE', 'maybe'];
    default:
      return [...common, ...(TEXTS[key] ?? [])];
  }
}

export const SETTING_KEYS = Object.keys(SIDECAR_SETTINGS) as SidecarSettingKey[];

/** A short test title for a value (some edges are hundreds of characters). */
export function label(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 24)}...(${value.length} chars)` : value);
}

/** One [key, title, value] row per edge of every row. */
export function allEdges(): [SidecarSettingKey, string, string][] {
  return SETTING_KEYS.flatMap((k) => [...new Set(edges(k))].map((v): [SidecarSettingKey, string, string] => [k, label(v), v]));
}

/** An edge as a chart value: numbers and booleans as YAML would type them, the rest as strings. */
export function chartForm(r: SettingRow, v: string): unknown {
  if ((r.type === 'integer' || r.type === 'duration') && /^-?[0-9]+$/.test(v)) return Number(v);
  if (r.type === 'boolean' && (v === 'true' || v === 'false')) return v === 'true';
  return v;
}
