import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Keys whose values are never written, wherever they appear in a log context.
 * Callers should not pass secrets to a logger at all; this is the second fence.
 */
export const REDACTED_KEYS = [
  'token',
  'client_token',
  'jwt',
  'password',
  'secret',
  'data',
  'value',
  'lease_id',
  'authorization',
  'Authorization',
  'X-Vault-Token',
  'x-vault-token',
  'body',
  'env',
] as const;

const redactPaths = REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

export interface LogOptions {
  level?: string;
  name: string;
  /** Where lines go; defaults to stderr so stdout stays free for audit records. */
  destination?: DestinationStream;
}

/** Structured JSON logger: context object first, short message after. */
export function createLogger(opts: LogOptions): Logger {
  return pino(
    {
      name: opts.name,
      level: opts.level ?? 'info',
      base: { name: opts.name },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: redactPaths, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    opts.destination ?? pino.destination({ fd: 2, sync: false }),
  );
}

/** A logger that drops everything, for tests and library callers. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
