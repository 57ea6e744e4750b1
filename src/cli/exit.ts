/** The exit codes every command returns, and the one error-to-code mapping (docs/contract.md). Pure. */
import { CommanderError } from 'commander';
import { BrokerError, ConfigError, UsageError } from '../errors';

/** Exit codes shared by every command (docs/contract.md, "Exit codes"). */
export const EXIT = {
  /** Done; also `--help` and `--version`. */
  OK: 0,
  /** The check found something (scan findings, a broken audit chain, a secret `sidecar --once` could not render). */
  FOUND: 1,
  /** Bad usage, bad settings or unreadable input. */
  USAGE: 2,
  /** A runtime failure: a well-formed request the command could not carry out (port in use, output unwritable). */
  RUNTIME: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** How a command that threw ends: its exit code and the lines for stderr (each printed after `secrets-broker: `). */
export interface Failure {
  code: ExitCode;
  lines: string[];
}

const QUIET = ['commander.helpDisplayed', 'commander.version', 'commander.help'];

/** Maps what a command threw to its exit code, by class only. Commander has already printed its own errors. */
export function failureOf(err: unknown): Failure {
  if (err instanceof CommanderError) return { code: QUIET.includes(err.code) ? EXIT.OK : EXIT.USAGE, lines: [] };
  if (err instanceof ConfigError) return { code: EXIT.USAGE, lines: err.lines() };
  if (err instanceof UsageError) return { code: EXIT.USAGE, lines: [...err.problems] };
  if (err instanceof BrokerError) return { code: EXIT.RUNTIME, lines: [err.message] };
  // Not raised on purpose: a runtime failure too, never "bad usage".
  const name = err instanceof Error ? err.name : 'Error';
  return { code: EXIT.RUNTIME, lines: [`unexpected ${name}: ${err instanceof Error ? err.message : String(err)}`] };
}
