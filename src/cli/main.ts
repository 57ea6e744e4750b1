import { Command, CommanderError } from 'commander';
import { UsageError } from '../errors';
import { packageVersion } from '../version';
import { registerAudit } from './audit';
import { registerInjector } from './injector';

/** Exit codes shared by every command (contract.md). */
export const EXIT = { OK: 0, FOUND: 1, USAGE: 2 } as const;

/** The process edge every command receives: its arguments' environment and output streams. */
export interface CliIO {
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** A command module adds itself to the root program. */
export type Register = (program: Command, io: CliIO) => void;

const commands: Register[] = [registerInjector, registerAudit];

/** Builds the root program with every command registered. */
export function buildProgram(io: CliIO): Command {
  const program = new Command('secrets-broker')
    .description('Deliver Vault secrets to Kubernetes pods at runtime, audit every access, and keep secrets out of images.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });
  for (const register of commands) register(program, io);
  return program;
}

/** Runs the CLI and resolves to the process exit code; never calls process.exit itself. */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const program = buildProgram(io);
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
  if (err instanceof UsageError) {
    for (const p of err.problems) io.stderr.write(`secrets-broker: ${p}\n`);
    return EXIT.USAGE;
  }
  const message = err instanceof Error ? err.message : String(err);
  io.stderr.write(`secrets-broker: ${message}\n`);
  return EXIT.USAGE;
}
