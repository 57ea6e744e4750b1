import { Command } from 'commander';
import { packageVersion } from '../version';
import { EXIT, failureOf, type ExitCode } from './exit';
import type { CliIO, Register } from './io';

/* eslint-disable @typescript-eslint/no-require-imports */
/**
 * Each command's module, one line per command, loaded on demand: `secrets-broker sidecar`
 * starts in every pod, and loading the audit, scan and injector modules first would add a
 * fifth to its time to the first secret file.
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

/** Builds the root program with the given commands registered (all by default); actions hand their code to `exit`. */
export function buildProgram(io: CliIO, names: readonly string[] = commandsFor([]), exit: (code: ExitCode) => void = () => undefined): Command {
  const program = new Command('secrets-broker')
    .description('Deliver Vault secrets to Kubernetes pods at runtime, audit every access, and keep secrets out of images.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });
  for (const [name, load] of COMMANDS) if (names.includes(name)) load()(program, io, exit);
  return program;
}

/** Runs the CLI and resolves to the exit code; never touches process.exitCode or calls process.exit. */
export async function runCli(argv: readonly string[], io: CliIO): Promise<ExitCode> {
  let code: ExitCode = EXIT.OK;
  const program = buildProgram(io, commandsFor(argv), (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (err) {
    return reportFailure(err, io);
  }
}

/** What a command threw, written to stderr (one line each) and turned into its exit code. */
export function reportFailure(err: unknown, io: Pick<CliIO, 'stderr'>): ExitCode {
  const failure = failureOf(err);
  for (const line of failure.lines) io.stderr.write(`secrets-broker: ${line}\n`);
  return failure.code;
}
