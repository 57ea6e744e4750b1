/** `secrets-broker injector`: the mutating admission webhook. Settings come from the environment only. */
import type { Command } from 'commander';
import { INJECTOR_SETTING_NAMES, loadInjectorConfig } from '../config/injector';
import type { CliIO, Register } from './main';

const HELP = `
Settings (environment variables; the Helm chart sets them):
${INJECTOR_SETTING_NAMES
  .map((k) => `  ${k}`)
  .join('\n')}

See docs/injector.md for what each one does and its default.
Bad settings exit 2 with one line per problem.`;

export const registerInjector: Register = (program: Command, io: CliIO): void => {
  program
    .command('injector')
    .description('run the mutating admission webhook (HTTPS): POST /mutate, /healthz, /readyz, /metrics')
    .addHelpText('after', HELP)
    .action(async () => {
      const config = loadInjectorConfig(io.env);
      // Loaded on demand so other commands do not pay for express.
      const { runInjector } = await import('../../injector/main');
      await runInjector(config, {});
    });
};
