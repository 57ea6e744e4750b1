/** `secrets-broker sidecar [--once]`: the in-pod process. Heavy modules load only when it runs. */
import type { Command } from 'commander';
import type { CliIO, Register } from './main';

export const registerSidecar: Register = (program: Command, io: CliIO): void => {
  program
    .command('sidecar')
    .description('log in to Vault with the pod\'s token, render secrets to the in-memory volume and keep them fresh')
    .option('--once', 'render every secret once, then exit (0 when all rendered, 1 naming what failed)')
    .addHelpText('after', '\nConfigured from the environment the injector sets; see docs/sidecar.md.')
    .action(async (opts: { once?: boolean }) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { runSidecar } = require('../../sidecar/main') as typeof import('../../sidecar/main');
      process.exitCode = await runSidecar({ env: io.env, once: opts.once === true, stdout: io.stdout, stderr: io.stderr, signals: true });
    });
};
