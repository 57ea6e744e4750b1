/**
 * Typed errors. Every error the project raises on purpose is a BrokerError with a
 * stable `code`; callers match on the class or the code, never on message text.
 * Messages never carry a secret value, token or JWT.
 */
export class BrokerError extends Error {
  /** A stable, machine-readable code, for example `CONFIG_INVALID`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bad command-line usage or bad settings: the CLI exits 2 with one line per problem. */
export class UsageError extends BrokerError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super('USAGE', problems.join('; '));
    this.problems = problems;
  }
}

/** Settings that failed validation at start-up: one entry per bad setting. */
export class ConfigError extends UsageError {}
