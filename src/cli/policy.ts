import type { Readable } from 'node:stream';
import { Option, type Command } from 'commander';
import { UsageError } from '../errors';
import { printable } from '../printable';
import type { ExitCode } from './exit';
import type { CliIO, Register } from './io';
import { collect, SETTINGS_HELP, withManifestOptions } from './manifest-options';

/** Exit codes (docs/contract.md; the same values as EXIT in main.ts, kept here to avoid an import cycle). */
const EXIT = { OK: 0, FOUND: 1, USAGE: 2 } as const;

export interface PolicyFlags {
  format: string;
  set: string[];
  settingsFrom?: string;
  mount: string[];
  namespace: string;
}

/**
 * `secrets-broker policy`: the least-privilege Vault policy and auth role per Vault role
 * for the pods of the manifests. Returns the exit code: 0 done; 1 a pod would be denied
 * (no policy for it); 2 bad usage, bad settings, unreadable input or a path whose engine
 * is unknown.
 */
export async function runPolicy(files: readonly string[], flags: PolicyFlags, io: CliIO, stdin: Readable): Promise<ExitCode> {
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded when policy runs, not for every command */
  const { explainConfig, parseSets } = require('../explain/settings') as typeof import('../explain/settings');
  const { operatorEnv } = require('../explain/operator-env') as typeof import('../explain/operator-env');
  const { explainFiles } = require('../explain/run') as typeof import('../explain/run');
  const { parseMounts } = require('../policy/mounts') as typeof import('../policy/mounts');
  const { rolePolicies } = require('../policy/roles') as typeof import('../policy/roles');
  const f = require('../policy/format') as typeof import('../policy/format');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const mounts = parseMounts(flags.mount);
  if (mounts.problems.length > 0) throw new UsageError(mounts.problems);
  const config = explainConfig(await operatorEnv(io.env, flags.settingsFrom), parseSets(flags.set));
  const run = await explainFiles(files, config, flags.namespace, stdin);
  const result = rolePolicies(run.explained, config.sidecar, mounts.mounts);
  io.stdout.write(flags.format === 'json' ? f.formatJson(result.roles, config.sidecar) : f.formatScript(result.roles, config.sidecar));
  const denied = run.explained.filter((e) => e.outcome === 'deny');
  for (const e of denied) io.stderr.write(`secrets-broker: ${printable(e.template.label)}: the webhook would deny this pod; no policy for it (see secrets-broker explain)\n`);
  const problems = [...run.problems, ...result.problems];
  for (const p of problems) io.stderr.write(`secrets-broker: ${printable(p)}\n`);
  if (problems.length > 0) return EXIT.USAGE;
  return denied.length > 0 ? EXIT.FOUND : EXIT.OK;
}

/** `secrets-broker policy`: registered by main.ts. */
export const registerPolicy: Register = (program: Command, io: CliIO, exit): void => {
  const cmd = program
    .command('policy')
    .description('the least-privilege Vault policy and auth role for each Vault role the pods of the manifests log in with')
    .argument('<file...>', 'manifests (YAML or JSON, several documents, Lists) with pods or workloads; - for standard input')
    .addOption(new Option('-f, --format <format>', 'vault CLI commands with HCL policies, or API payloads in JSON').choices(['hcl', 'json']).default('hcl'))
    .option('--mount <PATH=KIND>', 'the engine of a mount: kv1, kv2, pki, database or other (repeatable)', collect, []);
  withManifestOptions(cmd)
    .addHelpText('after', `${SETTINGS_HELP}\nExit codes: 0 done; 1 a pod would be denied; 2 bad usage, bad settings, unreadable input or a path of unknown engine.`)
    .action(async (files: string[], flags: PolicyFlags) => {
      exit(await runPolicy(files, flags, io, process.stdin));
    });
};
