/** What every command module is given: the process edge as values, and where it hands back its exit code. */
import type { Command } from 'commander';
import type { ExitCode } from './exit';

/** The process edge every command receives: the environment and the output streams. */
export interface CliIO {
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/**
 * A command module adds its command to the root program. Its action computes the exit
 * code (the command's own function returns it) and hands it to `exit`; a command that
 * never calls `exit` ends 0. Only src/cli/bin.ts gives a code to the process.
 */
export type Register = (program: Command, io: CliIO, exit: (code: ExitCode) => void) => void;
