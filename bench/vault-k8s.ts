/**
 * How the benchmarks run vault-k8s (SB_BENCH_VAULT_K8S: the binary, built by hand from a
 * fetched copy; nothing of it is in the repository) outside a cluster: it wants its
 * in-cluster service-account files and KUBERNETES_SERVICE_* pointing at an apiserver. This
 * makes a service account in the running test stack, and returns the command prefix that
 * runs the binary in a private mount namespace with those files under /run (the host's
 * /run is untouched).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kubectl, stack } from '../test/e2e/helpers/stack';

export interface PeerCommand {
  argv: string[];
  env: NodeJS.ProcessEnv;
}

const MOUNT = 'mount -t tmpfs tmpfs /run && mkdir -p /run/secrets/kubernetes.io/serviceaccount && cp "$0"/token "$0"/ca.crt "$0"/namespace /run/secrets/kubernetes.io/serviceaccount/ && exec "$@"';

export async function vaultK8sCommand(bin: string): Promise<PeerCommand> {
  const s = stack() as unknown as { SB_STACK_DIR: string; STACK_CA_CERT: string; KUBE_API_URL: string };
  const dir = join(s.SB_STACK_DIR, 'vault-k8s-sa');
  mkdirSync(dir, { recursive: true });
  await kubectl(['create', 'namespace', 'vault-k8s-bench']).catch(() => undefined);
  await kubectl(['-n', 'vault-k8s-bench', 'create', 'serviceaccount', 'vault-k8s']).catch(() => undefined);
  // What vault-k8s's own chart grants it: it watches webhook configurations before it is ready.
  await kubectl(['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'v1', kind: 'List', items: [
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'vault-k8s-bench' },
        rules: [{ apiGroups: ['admissionregistration.k8s.io'], resources: ['mutatingwebhookconfigurations'], verbs: ['get', 'list', 'watch', 'patch'] }] },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'vault-k8s-bench' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'vault-k8s-bench' },
        subjects: [{ kind: 'ServiceAccount', name: 'vault-k8s', namespace: 'vault-k8s-bench' }] },
    ],
  }));
  writeFileSync(join(dir, 'token'), await kubectl(['-n', 'vault-k8s-bench', 'create', 'token', 'vault-k8s', '--duration', '2h']), { mode: 0o600 });
  writeFileSync(join(dir, 'ca.crt'), readFileSync(s.STACK_CA_CERT));
  writeFileSync(join(dir, 'namespace'), 'vault-k8s-bench');
  const api = new URL(s.KUBE_API_URL);
  return {
    argv: ['unshare', '-m', '--propagation', 'private', 'sh', '-c', MOUNT, dir, bin],
    env: { ...process.env, KUBERNETES_SERVICE_HOST: api.hostname, KUBERNETES_SERVICE_PORT: api.port },
  };
}
