import { Command, CommanderError } from 'commander';
import { ConfigError, UsageError } from '../errors';
import { packageVersion } from '../version';

/** Exit codes shared by every command (docs/contract.md). */
export const EXIT = { OK: 0, FOUND: 1, USAGE: 2 } as const;

/** The process edge every command receives: its arguments' environment and output streams. */
export interface CliIO {
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** A command module adds itself to the root program. */
export type Register = (program: Command, io: CliIO) => void;

/* eslint-disable @typescript-eslint/no-require-imports */
/**
 * Each command's module, loaded on demand: `secrets-broker sidecar` starts in every pod, and
 * loading the audit, scan and injector modules first would add a fifth to its time to the
 * first secret file.
 */
const COMMANDS: ReadonlyArray<readonly [string, () => Register]> = [
  ['injector', () => (require('./injector') as typeof import('./injector')).registerInjector],
  ['sidecar', () => (require('./sidecar') as typeof import('./sidecar')).registerSidecar],
  ['audit', () => (require('./audit') as typeof import('./audit')).registerAudit],
  ['scan', () => (require('./scan') as typeof import('./scan')).registerScan],
  ['explain', () => (require('./explain') as typeof import('./explain')).registerExplain],
  ['policy', () => (require('./policy') as typeof import('./policy')).registerPolicy],
  ['doctor', () => (require('./doctor') as typeof import('./doctor')).registerDoctor],
];
/* eslint-enable @typescript-eslint/no-require-imports */

/** The commands to register: only the one named first on the command line, or all (root help, errors). */
export function commandsFor(argv: readonly string[]): string[] {
  const named = COMMANDS.find(([name]) => name === argv[0]);
  return named ? [named[0]] : COMMANDS.map(([name]) => name);
}

/** Builds the root program with the given commands registered (all by default). */
export function buildProgram(io: CliIO, names: readonly string[] = commandsFor([])): Command {
  const program = new Command('secrets-broker')
    .description('Deliver Vault secrets to Kubernetes pods at runtime, audit every access, and keep secrets out of images.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });
  for (const [name, load] of COMMANDS) if (names.includes(name)) load()(program, io);
  return program;
}

/** Runs the CLI and resolves to the process exit code; never calls process.exit itself. */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const program = buildProgram(io, commandsFor(argv));
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
  } catch (err) {
    return exitCodeFor(err, io);
  }
}

function exitCodeFor(err: unknown, io: CliIO): number {
  if (err instanceof CommanderError) {
    const quiet = ['commander.helpDisplayed', 'commander.version', 'commander.help'];
    return quiet.includes(err.code) ? EXIT.OK : EXIT.USAGE;
  }
  if (err instanceof ConfigError) {
    for (const line of err.lines()) io.stderr.write(`secrets-broker: ${line}\n`);
    return EXIT.USAGE;
  }
  if (err instanceof UsageError) {
    for (const p of err.problems) io.stderr.write(`secrets-broker: ${p}\n`);
    return EXIT.USAGE;
  }
  const message = err instanceof Error ? err.message : String(err);
  io.stderr.write(`secrets-broker: ${message}\n`);
  return EXIT.USAGE;
}
