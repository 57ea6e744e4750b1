import { cleanEnv, EnvError, EnvMissingError, type ValidatorSpec } from 'envalid';
import { ConfigError } from '../errors';

/**
 * Parses settings once with envalid and collects every problem into one ConfigError
 * (the CLI prints one line per problem and exits 2). Never prints a setting's value.
 */
export function parseEnv<S extends Record<string, ValidatorSpec<unknown>>>(
  env: Record<string, string | undefined>,
  schema: S,
): ReturnType<typeof cleanEnv<S>> {
  let problems: string[] = [];
  const result = cleanEnv(env, schema, {
    reporter: ({ errors }) => {
      problems = Object.entries(errors).map(([key, err]) => describe(key, err));
    },
  });
  if (problems.length > 0) throw new ConfigError(problems.sort());
  return result;
}

function describe(key: string, err: unknown): string {
  if (err instanceof EnvMissingError) return `${key}: required setting is missing`;
  if (err instanceof EnvError || err instanceof Error) return `${key}: ${err.message.replace(/"[^"]*"/g, '(value)')}`;
  return `${key}: invalid`;
}
