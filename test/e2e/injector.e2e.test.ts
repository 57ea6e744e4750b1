/**
 * The injector behind a real kube-apiserver: a MutatingWebhookConfiguration sends real pod
 * creations over TLS to the injector running in this process on 127.0.0.1. No kubelet
 * runs, so pods stay Pending; what matters is what the apiserver stores and accepts.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { startInjector, type RunningInjector } from '../../injector/main';
import { MemoryAuditSink } from '../../src/audit/writer';
import type { Pod } from '../../src/inject/types';
import { silentLogger } from '../../src/log';
import { corpusPods, testConfig } from '../helpers/injector';
import { makeCert, type TestCert } from '../helpers/tls';
import { kubectl, refusal, stack, uniqueName, waitFor } from './helpers';

jest.setTimeout(120_000); // each test's limit, not a wait: every corpus pod goes through the real apiserver

const ns = uniqueName('inject');
const webhook = uniqueName('secrets-broker-e2e');
const audit = new MemoryAuditSink();
let tls: TestCert;
let injector: RunningInjector;

const opted = (name: string, annotations: Record<string, string> = {}, spec: Partial<Pod['spec']> = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns, annotations: { 'secrets-broker.io/inject': 'true', 'secrets-broker.io/secret-db': 'secret/data/app/config', ...annotations } },
  spec: { serviceAccountName: 'app', containers: [{ name: 'app', image: 'registry.invalid/app:1' }], ...spec },
});

async function create(pod: Pod, ...flags: string[]): Promise<{ pod: Pod; output: string }> {
  const output = await kubectl(['-n', ns, 'create', '-o', 'json', ...flags, '-f', '-'], JSON.stringify(pod));
  const json = output.slice(output.indexOf('{'), output.lastIndexOf('}') + 1);
  return { pod: JSON.parse(json) as Pod, output };
}

function webhookConfig(port: number, ca: string): object {
  const rule = (operations: string[], resources: string[]) => ({ operations, apiGroups: [''], apiVersions: ['v1'], resources, scope: 'Namespaced' });
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: webhook },
    webhooks: [{
      name: 'inject.secrets-broker.io',
      clientConfig: { url: `https://127.0.0.1:${port}/mutate`, caBundle: Buffer.from(ca).toString('base64') },
      rules: [rule(['CREATE'], ['pods']), rule(['UPDATE'], ['pods/ephemeralcontainers'])],
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
      sideEffects: 'None',
      admissionReviewVersions: ['v1'],
      failurePolicy: 'Fail',
      reinvocationPolicy: 'IfNeeded',
      timeoutSeconds: 10,
    }],
  };
}

beforeAll(async () => {
  tls = makeCert();
  const config = testConfig({ INJECTOR_BIND_ADDRESS: '127.0.0.1', INJECTOR_TLS_CERT_FILE: tls.certFile, INJECTOR_TLS_KEY_FILE: tls.keyFile, VAULT_ADDR: stack().VAULT_ADDR });
  config.port = 0;
  injector = await startInjector(config, { logger: silentLogger(), audit });
  await kubectl(['create', 'namespace', ns]);
  // Without the node (SB_NODE=1) no controller-manager runs, so even `default` is made here; with it, the
  // controller-manager may have made `default` first, hence apply. The ServiceAccount admission plugin needs it.
  const accounts = new Set(['app', 'default', ...corpusPods().map(({ pod }) => pod.spec.serviceAccountName).filter((s): s is string => !!s)]);
  const items = [...accounts].map((name) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns } }));
  await kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
  await kubectl(['apply', '-f', '-'], JSON.stringify(webhookConfig(injector.port, readFileSync(tls.certFile, 'utf8'))));
  // The apiserver picks webhook configurations up asynchronously.
  const active = async () => (await create(opted('probe'), '--dry-run=server')).pod.metadata?.annotations?.['secrets-broker.io/status'] === 'injected';
  await waitFor('the webhook to become active', active, { timeoutMs: 30_000, intervalMs: 500 });
});

afterAll(async () => {
  await kubectl(['delete', 'mutatingwebhookconfiguration', webhook, '--ignore-not-found']).catch(() => undefined);
  await kubectl(['delete', 'namespace', ns, '--wait=false']).catch(() => undefined);
  await injector?.close();
  if (tls) rmSync(tls.dir, { recursive: true, force: true });
});

it('stores an opted-in pod with its native sidecar, once (reinvocation is a no-op)', async () => {
  await create(opted('web'));
  const stored = JSON.parse(await kubectl(['-n', ns, 'get', 'pod', 'web', '-o', 'json'])) as Pod;
  const ours = (stored.spec.initContainers ?? []).filter((c) => c.name.startsWith('secrets-broker'));
  expect(ours).toHaveLength(1);
  expect(ours[0]).toMatchObject({ name: 'secrets-broker', restartPolicy: 'Always', args: ['sidecar'] });
  expect(stored.metadata?.annotations?.['secrets-broker.io/status']).toBe('injected');
  expect(stored.spec.containers[0]?.volumeMounts).toContainEqual({ name: 'secrets-broker-data', mountPath: '/secrets', readOnly: true });
  expect(audit.entries.some((e) => e.event === 'admission.inject' && e.pod?.name === 'web' && e.pod.namespace === ns)).toBe(true);
});

it.each(corpusPods().map(({ file, pod }) => [file, pod] as const))('the apiserver accepts corpus pod %s after mutation', async (_file, original) => {
  const pod: Pod = JSON.parse(JSON.stringify(original));
  pod.metadata = { ...pod.metadata, namespace: ns, annotations: { ...pod.metadata?.annotations, 'secrets-broker.io/inject': 'true', 'secrets-broker.io/secret-app': 'secret/data/app/config' } };
  // A StatefulSet template mounts claims its controller adds; add them as a controller would.
  const volumes = new Set((pod.spec.volumes ?? []).map((v) => v.name));
  const mounts = [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].flatMap((c) => c.volumeMounts ?? []);
  for (const m of mounts) {
    if (volumes.has(m.name)) continue;
    (pod.spec.volumes ??= []).push({ name: m.name, emptyDir: {} });
    volumes.add(m.name);
  }
  const before = audit.entries.length;
  const { pod: result } = await create(pod, '--dry-run=server');
  expect(result.metadata?.annotations?.['secrets-broker.io/status']).toBe('injected');
  expect(result.spec.initContainers?.[0]?.name).toBe('secrets-broker');
  expect(audit.entries.length).toBe(before); // dry run: no audit record
});

it('init-only: one init container running sidecar --once', async () => {
  const { pod } = await create(opted('job', { 'secrets-broker.io/lifecycle': 'init-only' }, { restartPolicy: 'Never' }));
  expect(pod.spec.initContainers?.map((c) => [c.name, c.args])).toEqual([['secrets-broker', ['sidecar', '--once']]]);
});

it('a denied pod: the message names each bad annotation and reaches kubectl', async () => {
  const bad = opted('bad', { 'secrets-broker.io/vault-addr': 'https://elsewhere:8200', 'secrets-broker.io/mode-db': '0777' });
  const stderr = await refusal(create(bad));
  expect(stderr).toContain('denied the request');
  expect(stderr).toContain('secrets-broker.io/vault-addr: is an operator setting');
  expect(stderr).toContain('secrets-broker.io/mode-db: must not be world-accessible');
  expect(stderr).not.toContain('elsewhere');
});

it('literal-secret warnings reach kubectl, without the value', async () => {
  const value = randomBytes(24).toString('base64url');
  const leaky = opted('leaky', {}, { containers: [{ name: 'app', image: 'registry.invalid/app:1', env: [{ name: 'DB_PASSWORD', value }] }] });
  const { output } = await create(leaky);
  expect(output).toMatch(/Warning: container "app" env "DB_PASSWORD": literal secret/);
  expect(output.split('\n').filter((l) => l.startsWith('Warning')).join('\n')).not.toContain(value);
});

it('a pod that does not opt in is stored unchanged', async () => {
  const plain: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'plain', namespace: ns }, spec: { serviceAccountName: 'app', containers: [{ name: 'app', image: 'registry.invalid/app:1' }] } };
  const { pod } = await create(plain);
  expect(pod.spec.initContainers).toBeUndefined();
  expect(pod.metadata?.annotations?.['secrets-broker.io/status']).toBeUndefined();
});
