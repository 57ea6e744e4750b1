import { cleanEnv, EnvError, EnvMissingError, type ValidatorSpec } from 'envalid';
import { ConfigError, ValueError, type SettingProblem } from '../errors';
import type { Parse } from './validators';

export const MISSING = 'required setting is missing';

/**
 * Parses settings once with envalid and collects every problem into one ConfigError
 * (the CLI prints one line per problem and exits 2). Never prints a setting's value.
 */
export function parseEnv<S extends Record<string, ValidatorSpec<unknown>>>(
  env: Record<string, string | undefined>,
  schema: S,
): ReturnType<typeof cleanEnv<S>> {
  let problems: SettingProblem[] = [];
  const result = cleanEnv(env, schema, {
    reporter: ({ errors }) => {
      problems = Object.entries(errors).map(([key, err]) => ({ setting: key, message: describe(err) }));
    },
  });
  if (problems.length > 0) throw new ConfigError(sortProblems(problems));
  return result;
}

export function sortProblems(problems: readonly SettingProblem[]): SettingProblem[] {
  return [...problems].sort((a, b) => (a.setting < b.setting ? -1 : a.setting > b.setting ? 1 : 0));
}

/** envalid's own refusals quote the value: dropped. Ours (ValueError) never carry it. Anything else is a bug: thrown. */
function describe(err: unknown): string {
  if (err instanceof EnvMissingError) return MISSING;
  if (err instanceof ValueError) return err.message;
  if (err instanceof EnvError) return err.message.replace(/"[^"]*"/g, '(value)');
  throw err;
}

/** A setting read without envalid: a parser and the default as text (undefined: required). */
export interface FieldSpec<T> {
  parse: Parse<T>;
  default?: string;
}

/** Unset or empty: the default, parsed like any value; required settings are reported missing. */
function parseField<T>(spec: FieldSpec<T>, raw: string | undefined): T {
  if (raw === undefined || raw === '') {
    if (spec.default === undefined) throw new ValueError(MISSING);
    return spec.parse(spec.default);
  }
  return spec.parse(raw);
}

/** A settings-table row (src/config/sidecar-settings.ts) as a field of the sidecar's or the injector's own reader. */
export function rowField<T>(row: { parse: Parse<T>; default?: string }): FieldSpec<T> {
  return { parse: row.parse, default: row.default };
}

/**
 * Reads every field, collecting one problem per bad one and returning the values of the
 * good ones, so a single run names every problem and later checks can still use the rest.
 */
export function readFields<S extends Record<string, FieldSpec<unknown>>>(
  env: Record<string, string | undefined>,
  specs: S,
): { values: { [K in keyof S]?: ReturnType<S[K]['parse']> }; problems: SettingProblem[] } {
  const values: Record<string, unknown> = {};
  const problems: SettingProblem[] = [];
  for (const [name, spec] of Object.entries(specs)) {
    try {
      values[name] = parseField(spec, env[name]);
    } catch (err) {
      if (!(err instanceof ValueError)) throw err;
      problems.push({ setting: name, message: err.message });
    }
  }
  return { values: values as { [K in keyof S]?: ReturnType<S[K]['parse']> }, problems };
}
