import type { Command } from 'commander';
import type { ExitCode } from './exit';
import type { CliIO, Register } from './io';
import { collect } from './manifest-options';

/**
 * `secrets-broker doctor`: checks, in order, what a sidecar needs from Vault, one line per
 * check. Returns the exit code: 0 healthy, 1 a check failed, 2 bad usage or settings.
 */
export async function runDoctor(flags: import('../doctor/options').DoctorFlags, io: CliIO): Promise<ExitCode> {
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded when doctor runs, not for every command */
  const { doctorOptions } = require('../doctor/options') as typeof import('../doctor/options');
  const { runChecks } = require('../doctor/probe') as typeof import('../doctor/probe');
  const { doctorExit, formatCheck } = require('../doctor/diagnose') as typeof import('../doctor/diagnose');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const checks = await runChecks(doctorOptions(io.env, flags));
  for (const c of checks) io.stdout.write(formatCheck(c));
  return doctorExit(checks);
}

/** `secrets-broker doctor`: registered by main.ts. */
export const registerDoctor: Register = (program: Command, io: CliIO, exit): void => {
  program
    .command('doctor')
    .description("check what a sidecar needs from Vault: reachability, TLS, the auth mount, the login, each secret's capabilities and KV version")
    .option('--token-file <file>', 'the service-account token to log in with (default: SIDECAR_TOKEN_FILE, as the sidecar reads it)')
    .option('--role <role>', 'the Vault role (default: the role of SECRETS_BROKER_SPEC)')
    .option('--secret <path>', 'a Vault path to check (repeatable; default: the secrets of SECRETS_BROKER_SPEC)', collect, [])
    .option('--timeout <seconds>', 'limit of each network step', '5')
    .addHelpText('after', '\nSettings come from the environment as the sidecar reads them (VAULT_ADDR, VAULT_CACERT, VAULT_AUTH_PATH ...).\nNo secret value, token or JWT is printed.\nExit codes: 0 healthy; 1 a check failed; 2 bad usage or settings.')
    .action(async (flags: import('../doctor/options').DoctorFlags) => {
      exit(await runDoctor(flags, io));
    });
};
