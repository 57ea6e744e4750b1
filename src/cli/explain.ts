import type { Readable } from 'node:stream';
import { Option, type Command } from 'commander';
import { printable } from '../printable';
import type { ExitCode } from './exit';
import type { CliIO, Register } from './io';
import { SETTINGS_HELP, withManifestOptions } from './manifest-options';

/** Exit codes (docs/contract.md; the same values as EXIT in main.ts, kept here to avoid an import cycle). */
const EXIT = { OK: 0, FOUND: 1, USAGE: 2 } as const;

export interface ExplainFlags {
  output: string;
  set: string[];
  settingsFrom?: string;
  namespace: string;
}

/**
 * `secrets-broker explain`: what the webhook would do to each pod template. Returns the
 * exit code: 0 all admitted, 1 any denied, 2 bad usage, bad settings or unreadable input.
 */
export async function runExplain(files: readonly string[], flags: ExplainFlags, io: CliIO, stdin: Readable): Promise<ExitCode> {
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded when explain runs, not for every command */
  const { explainConfig, parseSets } = require('../explain/settings') as typeof import('../explain/settings');
  const { operatorEnv } = require('../explain/operator-env') as typeof import('../explain/operator-env');
  const { explainFiles } = require('../explain/run') as typeof import('../explain/run');
  const f = require('../explain/format') as typeof import('../explain/format');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const config = explainConfig(await operatorEnv(io.env, flags.settingsFrom), parseSets(flags.set));
  const { explained, ignored, problems } = await explainFiles(files, config, flags.namespace, stdin);
  if (flags.output === 'summary') io.stdout.write(f.formatSummary(explained, ignored));
  else {
    io.stdout.write(flags.output === 'patch' ? f.formatPatches(explained) : f.formatPods(explained));
    io.stderr.write(f.formatDenials(explained));
  }
  for (const p of problems) io.stderr.write(`secrets-broker: ${printable(p)}\n`);
  if (problems.length > 0) return EXIT.USAGE;
  return explained.some((e) => e.outcome === 'deny') ? EXIT.FOUND : EXIT.OK;
}

/** `secrets-broker explain`: registered by main.ts. */
export const registerExplain: Register = (program: Command, io: CliIO, exit): void => {
  const cmd = program
    .command('explain')
    .description('say what the webhook would do to each pod template (injected, skipped or denied) under the operator settings')
    .argument('<file...>', 'manifests (YAML or JSON, several documents, Lists) with pods or workloads; - for standard input')
    .addOption(new Option('-o, --output <output>', 'summary, the JSON patch, or the mutated pod (YAML)').choices(['summary', 'patch', 'pod']).default('summary'));
  withManifestOptions(cmd)
    .addHelpText('after', `${SETTINGS_HELP}\nExit codes: 0 every pod admitted; 1 any pod denied; 2 bad usage, bad settings or unreadable input.`)
    .action(async (files: string[], flags: ExplainFlags) => {
      exit(await runExplain(files, flags, io, process.stdin));
    });
};
