/**
 * The chart (values.yaml, values.schema.json, the Deployment's env) and the settings tables
 * of the README and docs/ agree with the settings' definitions: name, default, bounds,
 * choices and patterns, read from the rows themselves.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { INJECTOR_SCHEMA, INJECTOR_SETTING_NAMES } from '../../../src/config/injector';
import { SIDECAR_OWN_SETTINGS } from '../../../src/config/sidecar';
import { SIDECAR_SETTINGS, type SettingRow } from '../../../src/config/sidecar-settings';
import { formatSeconds } from '../../../src/config/validators';
import { defaultCellMatches, docTable, REPO } from '../../helpers/doc-tables';
import { allEdges, chartForm } from '../../helpers/setting-edges';

const CHART = join(REPO, 'helm', 'secrets-broker');
const schema = JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8')) as Record<string, any>;
const values = parse(readFileSync(join(CHART, 'values.yaml'), 'utf8')) as Record<string, any>;
const deployment = readFileSync(join(CHART, 'templates', 'deployment.yaml'), 'utf8');
const ROWS = Object.entries(SIDECAR_SETTINGS) as [string, SettingRow][];

/** The chart value each env var of the Deployment is taken from, read off the template. */
function chartValueOf(env: string): string | undefined {
  const m = new RegExp(`name: ${env}, value: \\{\\{ (\\$s|\\$i|\\.Values)\\.([A-Za-z0-9.]+)`).exec(deployment);
  if (!m) return undefined;
  return `${{ $s: 'sidecar.', $i: 'injector.', '.Values': '' }[m[1]!]}${m[2]}`;
}
const at = (obj: Record<string, any>, path: string): any => path.split('.').reduce((o, k) => o?.[k], obj);
function schemaAt(path: string): Record<string, any> {
  const s = path.split('.').reduce<Record<string, any>>((o, k) => o.properties[k], schema);
  return s.$ref ? at(schema, s.$ref.replace('#/', '').replace(/\//g, '.')) : s;
}
/** A chart value as the template writes it into the env (numbers and booleans as text). */
const envText = (v: unknown): string => (Array.isArray(v) ? v.join(',') : String(v));
const parsed = (r: SettingRow, text: string | undefined): unknown => (text === undefined || text === '' ? (r.default === undefined ? undefined : r.parse(r.default)) : r.parse(text));

describe.each(ROWS)('%s: the chart', (_key, r) => {
  it('takes it from the row\'s chart value', () => {
    expect(chartValueOf(r.injectorEnv)).toBe(r.chart.value);
  });

  it('defaults to the row\'s default', () => {
    expect(parsed(r, envText(at(values, r.chart.value)))).toEqual(parsed(r, r.default));
  });

  it('has the row\'s bounds, choices or pattern in its schema', () => {
    const s = schemaAt(r.chart.value);
    if (r.chart.pattern !== undefined) expect(s).toMatchObject({ type: 'string', pattern: r.chart.pattern });
    if (r.type === 'enum') expect(s.enum).toEqual(r.choices);
    if (r.type === 'boolean') expect(s.type).toBe('boolean');
    if (r.type === 'integer') expect(s).toMatchObject({ type: 'integer', minimum: r.min, maximum: r.max });
    // The chart spells a duration in seconds; 0 is the default on both sides.
    if (r.type === 'duration') expect(s).toEqual({ type: 'integer', anyOf: [{ const: 0 }, { minimum: r.min, maximum: r.max }] });
  });
});

describe('every edge the chart schema lets through, the row parses', () => {
  const ajv = new Ajv({ strict: false });
  const validate = (path: string): ((v: unknown) => boolean) => {
    const check = ajv.compile({ definitions: schema.definitions, ...schemaAt(path) });
    return (v) => check(v);
  };
  it.each(allEdges())('%s = %s', (key, _title, v) => {
    const r = SIDECAR_SETTINGS[key] as SettingRow;
    if (!validate(r.chart.value)(chartForm(r, v))) return;
    // An empty address passes the schema; the chart's template refuses it ("vault.addr is required").
    if (r.default === undefined && v === '') return;
    expect(() => parsed(r, v)).not.toThrow();
  });
});

describe('injector settings of its own: the chart\'s defaults and choices are the schema\'s', () => {
  const own = Object.entries(INJECTOR_SCHEMA).filter(([env]) => chartValueOf(env) !== undefined) as [string, { default?: unknown; choices?: unknown[] }][];
  it.each(own)('%s', (env, spec) => {
    const path = chartValueOf(env)!;
    if ('default' in spec) expect(envText(at(values, path))).toBe(envText(spec.default));
    if (spec.choices) expect(schemaAt(path).enum).toEqual(spec.choices);
  });
});

const injectorTables = [docTable('README.md', 'Injector (`secrets-broker injector`)'), docTable('docs/injector.md', 'Settings')];
const sidecarTables = [docTable('README.md', 'Sidecar (`secrets-broker sidecar`)'), docTable('docs/sidecar.md', 'Settings (environment)')];
const installTable = docTable('docs/install.md', 'Values');

/** Bounds as the docs write them: `1024` to `65535`, `10s` to `744h`. */
function mentionsBounds(line: string, r: SettingRow): boolean {
  const show = (n: number): string => (r.type === 'duration' ? formatSeconds(n) : String(n));
  return r.min === undefined || (line.includes(`\`${show(r.min)}\``) && line.includes(`\`${show(r.max!)}\``));
}

describe.each(ROWS)('%s: the settings tables', (_key, r) => {
  it.each([...injectorTables.map((t): [string, typeof t, string] => ['injector', t, r.injectorEnv]), ...sidecarTables.map((t): [string, typeof t, string] => ['sidecar', t, r.env])])(
    '%s table: name, default, bounds, choices',
    (_side, table, name) => {
      const row = table.get(name);
      expect(row).toBeDefined();
      expect(defaultCellMatches(row!.default, r.default)).toBe(true);
      expect(mentionsBounds(row!.line, r)).toBe(true);
      for (const c of r.choices ?? []) expect(row!.line).toContain(`\`${c}\``);
    },
  );

  it('docs/install.md: the chart value\'s default', () => {
    const row = installTable.get(r.injectorEnv);
    expect(row).toBeDefined();
    const def = envText(at(values, r.chart.value));
    expect(def === '' ? row!.default === '' || row!.default === '`""`' : row!.default.includes(`\`${def}\``)).toBe(true);
  });
});

it('the README and docs/injector.md list every injector setting, with its default', () => {
  for (const table of injectorTables) {
    expect(INJECTOR_SETTING_NAMES.filter((n) => !table.has(n))).toEqual([]);
    for (const [env, spec] of Object.entries(INJECTOR_SCHEMA) as [string, { default?: unknown }][]) {
      const def = 'default' in spec ? envText(spec.default) : undefined;
      expect([env, defaultCellMatches(table.get(env)!.default, def)]).toEqual([env, true]);
    }
  }
});

it('the README and docs/sidecar.md list every sidecar setting, with its default', () => {
  for (const table of sidecarTables) {
    for (const [env, s] of Object.entries(SIDECAR_OWN_SETTINGS)) expect([env, defaultCellMatches(table.get(env)?.default ?? '', s.default)]).toEqual([env, true]);
  }
});
