import { num, str } from 'envalid';
import { BrokerError, ConfigError, type SettingProblem } from '../errors';
import { parseEnv } from './env';

/** Audit settings shared by the injector and the sidecar (docs/audit.md). */
export const AUDIT_ENV = {
  /** Optional audit file besides stdout (the sidecar's SIDECAR_AUDIT_FILE maps here). */
  file: 'AUDIT_FILE',
  /** Rotate the file before it passes this many bytes. */
  maxBytes: 'AUDIT_FILE_MAX_BYTES',
  /** Rotated files kept (audit.log.1 ... audit.log.N). */
  keep: 'AUDIT_FILE_KEEP',
  /** Private key (PEM PKCS#8 or JWK; Ed25519 or P-256) mounted from a Kubernetes Secret. */
  checkpointKeyFile: 'AUDIT_CHECKPOINT_KEY_FILE',
  /** Records between signed checkpoints. */
  checkpointEvery: 'AUDIT_CHECKPOINT_EVERY',
} as const;

/** Parsed audit settings; empty strings mean "not set". */
export interface AuditSettings {
  file: string;
  maxBytes: number;
  keep: number;
  checkpointKeyFile: string;
  checkpointEvery: number;
}

/** Parses the audit settings once at start-up; every bad one is reported (exit 2). */
export function parseAuditEnv(env: Record<string, string | undefined>): AuditSettings {
  const e = parseEnv(env, {
    [AUDIT_ENV.file]: str({ default: '' }),
    [AUDIT_ENV.maxBytes]: num({ default: 10 * 1024 * 1024 }),
    [AUDIT_ENV.keep]: num({ default: 5 }),
    [AUDIT_ENV.checkpointKeyFile]: str({ default: '' }),
    [AUDIT_ENV.checkpointEvery]: num({ default: 1000 }),
  });
  const s: AuditSettings = {
    file: e[AUDIT_ENV.file],
    maxBytes: e[AUDIT_ENV.maxBytes],
    keep: e[AUDIT_ENV.keep],
    checkpointKeyFile: e[AUDIT_ENV.checkpointKeyFile],
    checkpointEvery: e[AUDIT_ENV.checkpointEvery],
  };
  const problems: SettingProblem[] = [];
  const check = (ok: boolean, setting: string, message: string): void => {
    if (!ok) problems.push({ setting, message });
  };
  check(s.maxBytes >= 4096, AUDIT_ENV.maxBytes, 'at least 4096');
  check(Number.isInteger(s.keep) && s.keep >= 1, AUDIT_ENV.keep, 'a whole number of at least 1');
  check(Number.isInteger(s.checkpointEvery) && s.checkpointEvery >= 1, AUDIT_ENV.checkpointEvery, 'a whole number of at least 1');
  if (problems.length > 0) throw new ConfigError(problems);
  return s;
}

const KEY_PROBLEMS: Record<string, string> = {
  AUDIT_KEY_INVALID: 'not a private key in PEM or JWK form (Ed25519 or P-256)',
  AUDIT_KEY_UNREADABLE: 'cannot read the file',
};

/**
 * A checkpoint key that does not load at start-up is a problem of AUDIT_CHECKPOINT_KEY_FILE:
 * returned as a ConfigError naming it (by the error's code; the path is not echoed). Any
 * other error is returned as it is.
 */
export function checkpointKeyProblem(err: unknown): unknown {
  if (!(err instanceof BrokerError) || KEY_PROBLEMS[err.code] === undefined) return err;
  const errno = (err.cause as NodeJS.ErrnoException | undefined)?.code;
  return new ConfigError([{ setting: AUDIT_ENV.checkpointKeyFile, message: `${KEY_PROBLEMS[err.code]}${errno ? ` (${errno})` : ''}` }]);
}
