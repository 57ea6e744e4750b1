/**
 * The Helm chart against the stack's real kube-apiserver: `helm install --dry-run=server`
 * is clean, `helm install` gets every object accepted, and a pod created afterwards gets
 * the sidecar through the webhook configuration the chart installed. The injector runs in
 * this process on 127.0.0.1 with the stack's serving certificate (webhook.url); no kubelet
 * runs, so the chart's own Deployment is stored but never started. The webhook only
 * selects this test's namespace (a label), so other tests on the stack are not affected.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startInjector, type RunningInjector } from '../../injector/main';
import { MemoryAuditSink } from '../../src/audit/writer';
import { loadInjectorConfig } from '../../src/config/injector';
import type { Pod } from '../../src/inject/types';
import { silentLogger } from '../../src/log';
import { IMAGE_CLI, sidecarLaunch } from '../../src/sidecar-env';
import { CHART_DIR, haveHelm, helm, parseManifests, type K8sObject } from '../helpers/helm';
import { kubectl, refusal, stack, uniqueName, waitFor } from './helpers';

jest.setTimeout(180_000); // each test's limit, not a wait: helm installs against a real apiserver

const id = uniqueName('h');
const ns = `${id}-app`;
const sysns = `${id}-sys`;
const release = id;
const fullname = `${release}-secrets-broker`;
const image = `secrets-broker:${(JSON.parse(readFileSync(join(CHART_DIR, '..', '..', 'package.json'), 'utf8')) as { version: string }).version}`;
const audit = new MemoryAuditSink();
let injector: RunningInjector;
let helmEnv: NodeJS.ProcessEnv;
let installed: K8sObject[] = [];

const values = (): object => ({
  vault: { addr: stack().VAULT_ADDR },
  webhook: {
    url: `https://127.0.0.1:${injector.port}/mutate`,
    caBundle: readFileSync(stack().STACK_CA_CERT, 'utf8'),
    namespaceSelector: { matchLabels: { 'secrets-broker-e2e': id } },
    literalSecretsAllPods: { enabled: true },
  },
  validatingAdmissionPolicy: { enabled: true },
});

const pod = (name: string, annotations: Record<string, string> = {}, spec: Partial<Pod['spec']> = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns, annotations },
  spec: { serviceAccountName: 'app', containers: [{ name: 'app', image: 'registry.invalid/app:1' }], ...spec },
});
const optedIn = { 'secrets-broker.io/inject': 'true', 'secrets-broker.io/secret-config': 'secret/data/app/config' };

async function create(p: Pod, ...flags: string[]): Promise<{ pod: Pod; output: string }> {
  const output = await kubectl(['-n', ns, 'create', '-o', 'json', ...flags, '-f', '-'], JSON.stringify(p));
  return { pod: JSON.parse(output.slice(output.indexOf('{'), output.lastIndexOf('}') + 1)) as Pod, output };
}

/** The apiserver picks configurations up asynchronously: a minute, polled twice a second. */
const eventually = (what: string, check: () => Promise<boolean>): Promise<void> => waitFor(what, check, { timeoutMs: 60_000, intervalMs: 500 });

beforeAll(async () => {
  if (!haveHelm()) throw new Error('helm is missing: run npm run stack:build');
  const s = stack();
  helmEnv = { ...process.env, KUBECONFIG: s.KUBECONFIG };
  const config = loadInjectorConfig({
    INJECTOR_BIND_ADDRESS: '127.0.0.1',
    INJECTOR_TLS_CERT_FILE: s.STACK_SERVER_CERT,
    INJECTOR_TLS_KEY_FILE: s.STACK_SERVER_KEY,
    INJECTOR_NAMESPACE: sysns,
    VAULT_ADDR: s.VAULT_ADDR,
    SIDECAR_IMAGE: image,
  });
  config.port = 0;
  injector = await startInjector(config, { logger: silentLogger(), audit });
  await kubectl(['create', 'namespace', ns]);
  await kubectl(['label', 'namespace', ns, `secrets-broker-e2e=${id}`]);
  await kubectl(['-n', ns, 'create', 'serviceaccount', 'app']);
});

afterAll(async () => {
  if (helmEnv) await helm(['uninstall', release, '--namespace', sysns, '--wait=false'], undefined, helmEnv).catch(() => undefined);
  await kubectl(['delete', 'namespace', ns, sysns, '--ignore-not-found', '--wait=false']).catch(() => undefined);
  await injector?.close();
});

it('helm install --dry-run=server: the apiserver accepts every object', async () => {
  const r = await helm(['install', release, CHART_DIR, '--namespace', sysns, '--create-namespace', '--dry-run=server'], values(), helmEnv);
  expect(r.stderr).not.toMatch(/error/i);
  expect(r.code).toBe(0);
  const kinds = parseManifests(r.stdout.slice(r.stdout.indexOf('---'))).map((o) => o.kind);
  expect(kinds).toEqual(expect.arrayContaining(['Deployment', 'MutatingWebhookConfiguration', 'ValidatingAdmissionPolicy', 'NetworkPolicy', 'PodDisruptionBudget']));
});

it('helm install: every object is stored', async () => {
  const r = await helm(['install', release, CHART_DIR, '--namespace', sysns, '--create-namespace'], values(), helmEnv);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const manifest = await helm(['get', 'manifest', release, '--namespace', sysns], undefined, helmEnv);
  installed = parseManifests(manifest.stdout);
  expect(installed.length).toBeGreaterThanOrEqual(9);
  for (const o of installed) {
    const kind = o.kind === 'ValidatingAdmissionPolicy' || o.kind === 'ValidatingAdmissionPolicyBinding' || o.kind === 'MutatingWebhookConfiguration' ? o.kind.toLowerCase() : o.kind;
    const got = JSON.parse(await kubectl(['get', kind, o.metadata.name, ...(o.metadata.namespace ? ['-n', o.metadata.namespace] : []), '-o', 'json'])) as K8sObject;
    expect([got.kind, got.metadata.name]).toEqual([o.kind, o.metadata.name]);
  }
  const mwc = JSON.parse(await kubectl(['get', 'mutatingwebhookconfiguration', fullname, '-o', 'json'])) as K8sObject;
  expect(mwc.webhooks[0]).toMatchObject({ sideEffects: 'None', timeoutSeconds: 10, reinvocationPolicy: 'IfNeeded', failurePolicy: 'Fail' });
  expect(mwc.webhooks[0].matchConditions[0].name).toBe('opted-in');
});

it('an opted-in pod created afterwards gets the sidecar through the chart-installed webhook', async () => {
  await eventually('webhook active', async () => (await create(pod('probe', optedIn), '--dry-run=server')).pod.metadata?.annotations?.['secrets-broker.io/status'] === 'injected');
  await create(pod('web', optedIn));
  const stored = JSON.parse(await kubectl(['-n', ns, 'get', 'pod', 'web', '-o', 'json'])) as Pod;
  const sidecar = (stored.spec.initContainers ?? []).find((c) => c.name === 'secrets-broker');
  const ca = sidecar?.env?.find((e) => e.name === 'VAULT_CACERT')?.value;
  expect(sidecar).toMatchObject({ image, command: ['node', ...sidecarLaunch(ca).nodeFlags, IMAGE_CLI], args: ['sidecar'], restartPolicy: 'Always' });
  expect(sidecar?.env).toContainEqual({ name: 'VAULT_ADDR', value: stack().VAULT_ADDR });
  expect(stored.metadata?.annotations?.['secrets-broker.io/status']).toBe('injected');
  expect(audit.entries.some((e) => e.event === 'admission.inject' && e.pod?.name === 'web')).toBe(true);
});

it('a pod that does not opt in is never sent for injection, but the literal-secret entry warns about it', async () => {
  const before = audit.entries.length;
  const leaky = pod('plain', {}, { containers: [{ name: 'app', image: 'registry.invalid/app:1', env: [{ name: 'DB_PASSWORD', value: 'correct-horse-battery-staple-42' }] }] });
  const { pod: stored, output } = await create(leaky);
  expect(stored.spec.initContainers).toBeUndefined();
  expect(output).toMatch(/Warning: .*DB_PASSWORD/);
  expect(output.split('\n').filter((l) => l.startsWith('Warning')).join('\n')).not.toContain('correct-horse');
  expect(audit.entries.slice(before).filter((e) => e.event === 'admission.inject')).toEqual([]);
});

it('an opted-in pod dressed up as injected is refused at kubectl apply, naming the impostor (T9, T47)', async () => {
  // A look-alike container and the status annotation: the injector knows its own sidecar by
  // construction and denies the pod before any validating policy runs.
  const dodge = pod('dodge', { ...optedIn, 'secrets-broker.io/status': 'injected' }, {
    initContainers: [{ name: 'secrets-broker', image: 'registry.invalid/not-ours:1', restartPolicy: 'Always', env: [{ name: 'SECRETS_BROKER_SPEC', value: '{}' }] }],
  });
  const message = await refusal(create(dodge, '--dry-run=server'));
  expect(message).toContain('admission webhook "inject.secrets-broker.io" denied the request');
  expect(message).toContain('init container "secrets-broker" carries SECRETS_BROKER_SPEC but is not the sidecar this injector adds');
});

it('helm upgrade keeps the generated CA', async () => {
  const ca = async (): Promise<string> => JSON.parse(await kubectl(['-n', sysns, 'get', 'secret', `${fullname}-tls`, '-o', 'json'])).data['ca.crt'] as string;
  const before = await ca();
  const r = await helm(['upgrade', release, CHART_DIR, '--namespace', sysns, '--reuse-values', '--set', 'injector.logLevel=debug'], undefined, helmEnv);
  expect(r.code).toBe(0);
  expect(await ca()).toBe(before);
});

it('helm uninstall removes the webhook configuration and the policy', async () => {
  const r = await helm(['uninstall', release, '--namespace', sysns], undefined, helmEnv);
  expect(r.code).toBe(0);
  const left = await kubectl(['get', 'mutatingwebhookconfiguration,validatingadmissionpolicy', '-o', 'name']);
  expect(left).not.toContain(fullname);
});
