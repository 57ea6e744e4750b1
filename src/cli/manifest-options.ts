/** Options shared by the commands that read manifests the way the webhook would (explain, policy). */
import type { Command } from 'commander';

/** Commander's collector for a repeatable option. */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** The operator-settings and namespace options, and the help line that goes with them. */
export function withManifestOptions(cmd: Command): Command {
  return cmd
    .option('--set <NAME=VALUE>', 'an injector setting, over the environment (repeatable)', collect, [])
    .option('--settings-from <file>', "the injector's settings from its Deployment (helm template output, kubectl get deploy -o yaml) instead of the environment")
    .option('-n, --namespace <namespace>', 'namespace of objects that name none', 'default');
}

/** The help text's first line for those commands. */
export const SETTINGS_HELP = '\nSettings come from the environment as the injector reads them (VAULT_ADDR and SIDECAR_IMAGE are required).';
