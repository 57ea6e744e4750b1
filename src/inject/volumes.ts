/** The volumes the injector adds (pure). */
import type { SidecarSettings } from '../config/injector';
import { TOKEN_FILE_NAME } from './containers';
import type { InjectionPlan } from './plan';
import type { Volume, VolumeMount } from './types';

/**
 * The tmpfs for rendered secrets (never on disk), the projected service-account token
 * with the Vault audience and a short expiry (mounted in the sidecar only), and the
 * Vault CA when the operator names one.
 */
export function buildVolumes(plan: InjectionPlan, s: SidecarSettings): Volume[] {
  const volumes: Volume[] = [
    { name: plan.names.data, emptyDir: { medium: 'Memory', sizeLimit: s.tmpfsSize } },
    {
      name: plan.names.token,
      projected: {
        sources: [{ serviceAccountToken: { audience: s.tokenAudience, expirationSeconds: s.tokenExpirySeconds, path: TOKEN_FILE_NAME } }],
      },
    },
  ];
  if (s.vaultCa?.kind === 'configMap') {
    volumes.push({ name: plan.names.ca, configMap: { name: s.vaultCa.name, items: [{ key: s.vaultCa.key, path: s.vaultCa.key }] } });
  } else if (s.vaultCa?.kind === 'secret') {
    volumes.push({ name: plan.names.ca, secret: { secretName: s.vaultCa.name, items: [{ key: s.vaultCa.key, path: s.vaultCa.key }] } });
  }
  return volumes;
}

/** The read-only mount an app container gets. */
export function appMount(plan: InjectionPlan): VolumeMount {
  return { name: plan.names.data, mountPath: plan.spec.mountPath, readOnly: true };
}
