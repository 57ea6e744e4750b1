/** `secrets-broker injector`: the mutating admission webhook. Settings come from the environment only. */
import { INJECTOR_SETTING_NAMES, loadInjectorConfig } from '../config/injector';
import { imageStartSnapshot } from '../start/manifest';
import { EXIT, type ExitCode } from './exit';
import type { CliIO, Register } from './io';

const HELP = `
Settings (environment variables; the Helm chart sets them):
${INJECTOR_SETTING_NAMES
  .map((k) => `  ${k}`)
  .join('\n')}

See docs/injector.md for what each one does and its default.
Bad settings exit 2 with one line per problem; a port already in use exits 3.`;

/** Runs the webhook until SIGTERM or SIGINT; resolves to 0 once it has drained. Throws ConfigError or RuntimeFailure. */
export async function injector(io: CliIO): Promise<ExitCode> {
  const loaded = loadInjectorConfig(io.env);
  // In the image, sidecars of the same release start from its start-up snapshot (src/start/decide.ts).
  const config = { ...loaded, sidecar: { ...loaded.sidecar, startSnapshot: imageStartSnapshot(loaded.sidecar.image) } };
  // Loaded on demand so other commands do not pay for express.
  const { runInjector } = await import('../../injector/run');
  await runInjector(config, {});
  return EXIT.OK;
}

export const registerInjector: Register = (program, io, exit): void => {
  program
    .command('injector')
    .description('run the mutating admission webhook (HTTPS): POST /mutate, /healthz, /readyz, /metrics')
    .addHelpText('after', HELP)
    .action(async () => exit(await injector(io)));
};
