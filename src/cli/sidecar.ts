/** `secrets-broker sidecar [--once | --probe]`: the in-pod process. Heavy modules load only when it runs. */
import type { Command } from 'commander';
import { SIDECAR_DEFAULTS, SIDECAR_ENV } from '../sidecar-env';
import type { CliIO, Register } from './main';

export const registerSidecar: Register = (program: Command, io: CliIO): void => {
  program
    .command('sidecar')
    .description("log in to Vault with the pod's token, render secrets to the in-memory volume and keep them fresh")
    .option('--once', 'render every secret once, then exit (0 when all rendered, 1 naming what failed)')
    .option('--probe', 'exit 0 when the running sidecar on 127.0.0.1:$SIDECAR_HEALTH_PORT is ready (startup probe), 1 otherwise')
    .addHelpText('after', '\nConfigured from the environment the injector sets; see docs/sidecar.md.')
    .action(async (opts: { once?: boolean; probe?: boolean }) => {
      if (opts.probe) {
        process.exitCode = await probe(io.env[SIDECAR_ENV.healthPort] ?? String(SIDECAR_DEFAULTS.healthPort));
        return;
      }
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { runSidecar } = require('../../sidecar/main') as typeof import('../../sidecar/main');
      process.exitCode = await runSidecar({ env: io.env, once: opts.once === true, stdout: io.stdout, stderr: io.stderr, signals: true });
    });
};

/** GET /readyz on the loopback health port with a short timeout: 0 on 200, 1 otherwise. */
async function probe(port: string): Promise<number> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const http = require('node:http') as typeof import('node:http');
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port: Number(port), path: '/readyz', signal: AbortSignal.timeout(2000) }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 ? 0 : 1);
    });
    req.on('error', () => resolve(1));
  });
}
