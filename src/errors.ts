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

/**
 * Text a setting's parser refused (src/config/validators.ts). The message says what is
 * expected, never what was given; the reader adds the setting's name.
 */
export class ValueError extends BrokerError {
  constructor(message: string) {
    super('VALUE_INVALID', message);
  }
}

/** One bad setting: its name (as the environment spells it) and why, never its value. */
export interface SettingProblem {
  setting: string;
  message: string;
}

/**
 * Settings that failed validation at start-up: one entry per problem, each naming its
 * setting as data. The CLI prints `<setting>: <message>` per entry and exits 2.
 */
export class ConfigError extends BrokerError {
  readonly problems: readonly SettingProblem[];

  constructor(problems: readonly SettingProblem[]) {
    super('CONFIG_INVALID', problems.map(settingLine).join('; '));
    this.problems = problems;
  }

  /** The names of the bad settings, sorted, each once. */
  get settings(): string[] {
    return [...new Set(this.problems.map((p) => p.setting))].sort();
  }

  /** One line per problem, as the CLI prints them. */
  lines(): string[] {
    return this.problems.map(settingLine);
  }
}

function settingLine(p: SettingProblem): string {
  return `${p.setting}: ${p.message}`;
}

/** How a Vault request failed; the sidecar decides retry, re-login or give-up from this alone. */
export type VaultErrorKind =
  | 'network'
  | 'timeout'
  | 'tls'
  | 'sealed'
  | 'server'
  | 'throttled'
  | 'forbidden'
  | 'not-found'
  | 'bad-request'
  | 'malformed';

/** A failed Vault request. The message names the method, path and kind, never a body, token or value. */
export class VaultError extends BrokerError {
  readonly kind: VaultErrorKind;
  /** HTTP status, when Vault answered. */
  readonly status: number | undefined;

  constructor(kind: VaultErrorKind, message: string, status?: number, options?: { cause?: unknown }) {
    super(`VAULT_${kind.toUpperCase().replace('-', '_')}`, message, options);
    this.kind = kind;
    this.status = status;
  }

  /** Worth retrying later with backoff (as opposed to a decision Vault made about us). */
  get transient(): boolean {
    return ['network', 'timeout', 'sealed', 'server', 'throttled', 'malformed'].includes(this.kind);
  }
}

/** A secret could not be turned into file content: missing key, bad template, unusable format. */
export class RenderError extends BrokerError {
  constructor(message: string) {
    super('RENDER_FAILED', message);
  }
}

/** A file could not be written safely: symlinked parent, EACCES, ENOSPC, read-only mount. */
export class WriteError extends BrokerError {
  /** The errno code (EACCES, ENOSPC, EROFS...) or SYMLINK when we refused a link. */
  readonly reason: string;
  constructor(reason: string, message: string, options?: { cause?: unknown }) {
    super('WRITE_FAILED', message, options);
    this.reason = reason;
  }
}

/** A Vault request that failed below HTTP (src/vault/transport.ts); client.ts turns it into a VaultError. */
export class TransportError extends BrokerError {
  readonly reason: 'timeout' | 'tls' | 'network' | 'too-large';

  constructor(reason: 'timeout' | 'tls' | 'network' | 'too-large', message: string) {
    super(`TRANSPORT_${reason.toUpperCase().replace('-', '_')}`, message);
    this.reason = reason;
  }
}

/** Thrown by decodeSpec (src/spec.ts): the sidecar got a spec it will not act on. */
export class SpecError extends BrokerError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super('SPEC_INVALID', `invalid secrets spec: ${problems.join('; ')}`);
    this.problems = problems;
  }
}

/** The projected token file could not be used (src/sidecar/session.ts). */
export class TokenFileError extends BrokerError {
  constructor(message: string) {
    super('TOKEN_FILE', message);
  }
}

/**
 * The command could not do what was asked although the request was well formed: a port
 * already in use, an output file it cannot write. The CLI prints the message as one line
 * and exits 3, apart from bad usage (2).
 */
export class RuntimeFailure extends BrokerError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('RUNTIME_FAILURE', message, options);
  }
}

/**
 * A server that could not listen (`what` names it): a RuntimeFailure naming the address and
 * the errno code, for example `EADDRINUSE, the port is in use`. Not an errno error: returned as it is.
 */
export function listenFailure(what: string, host: string, port: number, err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string') return err;
  const why = code === 'EADDRINUSE' ? `${code}, the port is in use` : code === 'EACCES' ? `${code}, not allowed to bind it` : code;
  return new RuntimeFailure(`${what}: cannot listen on ${host}:${port} (${why})`, { cause: err });
}

/** A request that is not a usable AdmissionReview (src/inject/review.ts): HTTP 400 with this message. */
export class ReviewError extends BrokerError {
  constructor(message: string) {
    super('REVIEW_MALFORMED', message);
  }
}
