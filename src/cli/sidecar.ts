/** `secrets-broker sidecar [--once | --probe]`: the in-pod process. Heavy modules load only when it runs. */
import { SIDECAR_DEFAULTS, SIDECAR_ENV } from '../sidecar-env';
import { EXIT, type ExitCode } from './exit';
import type { CliIO, Register } from './io';

export interface SidecarFlags {
  once?: boolean;
  probe?: boolean;
}

/** Resolves to the exit code: the probe's, or the sidecar's (0; `--once`: 1 naming each secret it could not render). */
export async function sidecar(opts: SidecarFlags, io: CliIO): Promise<ExitCode> {
  if (opts.probe) return probe(io.env[SIDECAR_ENV.healthPort] ?? String(SIDECAR_DEFAULTS.healthPort));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { runSidecar } = require('../../sidecar/main') as typeof import('../../sidecar/main');
  return runSidecar({ env: io.env, once: opts.once === true, stdout: io.stdout, stderr: io.stderr, signals: true });
}

export const registerSidecar: Register = (program, io, exit): void => {
  program
    .command('sidecar')
    .description("log in to Vault with the pod's token, render secrets to the in-memory volume and keep them fresh")
    .option('--once', 'render every secret once, then exit (0 when all rendered, 1 naming what failed)')
    .option('--probe', 'exit 0 when the running sidecar on 127.0.0.1:$SIDECAR_HEALTH_PORT is ready (a healthcheck), 1 otherwise')
    .addHelpText('after', '\nConfigured from the environment the injector sets; see docs/sidecar.md.')
    .action(async (opts: SidecarFlags) => exit(await sidecar(opts, io)));
};

/** GET /readyz on the loopback health port with a short timeout: 0 on 200, 1 otherwise. */
async function probe(port: string): Promise<ExitCode> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const http = require('node:http') as typeof import('node:http');
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port: Number(port), path: '/readyz', signal: AbortSignal.timeout(2000) }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 ? EXIT.OK : EXIT.FOUND);
    });
    req.on('error', () => resolve(EXIT.FOUND));
  });
}
