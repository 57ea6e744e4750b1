/**
 * The peer of `npm run bench pods`: vault-k8s (SB_BENCH_VAULT_K8S, a binary built by hand
 * from a fetched copy; nothing of it is in the repository) as the webhook of the stack's
 * kube-apiserver, injecting Vault Agent from an image made locally from the stack's own
 * Vault binary. vault-k8s runs on the host with its TLS flags, as bench/vault-k8s.ts
 * starts it.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { kubectl, stack } from '../test/e2e/helpers/stack';
import { vaultK8sCommand } from './vault-k8s';

export interface Peer {
  child: ChildProcess;
  /** The namespace label value its webhook selects. */
  selector: string;
  stop: () => Promise<void>;
}

interface NodeStack {
  SB_BIN: string;
  SB_STACK_DIR: string;
  STACK_CA_CERT: string;
  STACK_SERVER_CERT: string;
  STACK_SERVER_KEY: string;
  POD_VAULT_ADDR: string;
  CONTAINERD_ADDRESS: string;
}

/** The agent image, made from the stack's Vault binary and imported into the node's containerd; returns the name pods use. */
export function agentImage(repo: string): string {
  const s = stack() as unknown as NodeStack;
  const local = execFileSync('bash', [join(repo, 'test', 'stack', 'vault-image.sh')], { encoding: 'utf8' }).trim().split('\n').pop() ?? '';
  const name = local.replace(/^localhost\//, '');
  const archive = join(s.SB_STACK_DIR, 'agent-image.tar');
  rmSync(archive, { force: true });
  execFileSync('buildah', ['push', '--quiet', local, `docker-archive:${archive}:${name}`], { stdio: 'ignore' });
  execFileSync(join(s.SB_BIN, 'ctr'), ['--address', s.CONTAINERD_ADDRESS, '-n', 'k8s.io', 'images', 'import', archive], { stdio: 'ignore' });
  return name;
}

/**
 * Starts vault-k8s on 127.0.0.1:`port` and registers it for the namespaces whose stack
 * label has the value `selector` returns. Sidecar resources as ours (25m, 48Mi requested), so
 * both fit the node the same way; everything else is vault-k8s's default.
 */
export async function startPeer(bin: string, image: string, port: number): Promise<Peer> {
  const s = stack() as unknown as NodeStack;
  const cmd = await vaultK8sCommand(bin);
  const [exe, ...pre] = cmd.argv;
  const child = spawn(exe!, [...pre, 'agent-inject',
    `-listen=127.0.0.1:${port}`, `-tls-cert-file=${s.STACK_SERVER_CERT}`, `-tls-key-file=${s.STACK_SERVER_KEY}`,
    `-vault-address=${s.POD_VAULT_ADDR}`, `-vault-cacert-bytes=${readFileSync(s.STACK_CA_CERT, 'utf8')}`, `-vault-image=${image}`,
    '-cpu-request=25m', '-memory-request=48Mi', '-log-level=warn'], { env: cmd.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const selector = 'vault-k8s';
  const caBundle = readFileSync(s.STACK_CA_CERT).toString('base64');
  await kubectl(['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: 'bench-vault-k8s' },
    webhooks: [{
      name: 'vault.hashicorp.com', admissionReviewVersions: ['v1', 'v1beta1'], sideEffects: 'None', failurePolicy: 'Fail', timeoutSeconds: 10,
      clientConfig: { url: `https://127.0.0.1:${port}/mutate`, caBundle },
      rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
      namespaceSelector: { matchLabels: { 'secrets-broker-stack': selector } },
    }],
  }));
  const stop = async (): Promise<void> => {
    await kubectl(['delete', 'mutatingwebhookconfiguration', 'bench-vault-k8s', '--ignore-not-found']).catch(() => undefined);
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('close', r));
    }
  };
  if (child.exitCode !== null) throw new Error(`vault-k8s exited: ${stderr}`);
  child.once('close', (code) => {
    if (code !== 0 && code !== null) process.stderr.write(`bench pods: vault-k8s exited ${code}: ${stderr}\n`);
  });
  return { child, selector, stop };
}
