/**
 * Operator choices on the stack's real node (`npm run test:node`), through a second
 * release of the chart (`sb-alt`, namespaces labelled secrets-broker-stack=alt) so the
 * other pod tests keep the default one: classic mode (an init container and a sidecar
 * container), a sidecar whose user the platform assigns (SIDECAR_RUN_AS_USER empty) in a
 * pod that picks arbitrary uid, gid and fsGroup, and the injector scaled to zero with
 * failurePolicy Fail, which blocks opted-in pods and only them.
 */
import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { APP_IMAGE, appScript, deployment, ensureInstalled, optedInTemplate, prepareNamespace, readyPod as readyIn, reportScript, REPO, type SecretReport } from './helpers/pods';
import { restrictedPod } from './helpers/node';
import { kubectl, refusal, stack, uniqueName, vault, waitFor } from './helpers';

jest.setTimeout(300_000);

const RELEASE = 'sb-alt';
const ns = uniqueName('modes');
const id = ns.replace(/[^a-z0-9]/g, '');
const role = `modes-${id}`;
const kvPath = `secret/data/modes/${id}`;
const MOUNT = '/secrets';
const annotations = { 'secrets-broker.io/role': role, 'secrets-broker.io/secret-config': kvPath };
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

interface Container { name: string; securityContext?: { runAsUser?: number } }
interface Pod {
  metadata: { name: string };
  spec: { containers: Container[]; initContainers?: (Container & { restartPolicy?: string })[] };
  status: { containerStatuses?: { name: string; ready: boolean; restartCount: number }[] };
}

/** Installs or upgrades the second release with extra helm arguments. */
async function installAlt(...helmArgs: string[]): Promise<void> {
  await promisify(execFile)('bash', [join(REPO, 'test', 'stack', 'install.sh'), ...helmArgs], {
    cwd: REPO,
    timeout: 280_000,
    env: { ...process.env, SB_INSTALL_RELEASE: RELEASE, SB_INSTALL_NAMESPACE: RELEASE, SB_INSTALL_SELECTOR: 'alt' },
  });
}

const readyPod = (app: string): Promise<Pod> => readyIn<Pod>(ns, app);

const report = async (pod: string): Promise<SecretReport> => JSON.parse(await kubectl(['-n', ns, 'exec', pod, '-c', 'main', '--', 'node', '-e', reportScript(MOUNT, 'config')])) as SecretReport;

let password: string;

beforeAll(async () => {
  await ensureInstalled(REPO);
  await installAlt('--set', 'injector.sidecarMode=classic');
  await prepareNamespace(ns, 'alt');
  await vault('PUT', `sys/policies/acl/${role}`, { policy: `path "${kvPath}" { capabilities = ["read"] }\npath "secret/metadata/modes/${id}" { capabilities = ["read"] }\npath "sys/internal/ui/mounts/*" { capabilities = ["read"] }` });
  await vault('POST', `auth/kubernetes/role/${role}`, { bound_service_account_names: 'app', bound_service_account_namespaces: ns, audience: 'vault', token_policies: role, token_ttl: '10m' });
  password = randomBytes(16).toString('hex');
  await vault('POST', kvPath, { data: { password } });
});

afterAll(async () => {
  await kubectl(['delete', 'namespace', ns, '--wait=false']).catch(() => undefined);
  const s = stack() as unknown as { SB_BIN: string; KUBECONFIG: string };
  await promisify(execFile)(join(s.SB_BIN, 'helm'), ['uninstall', RELEASE, '--namespace', RELEASE, '--kubeconfig', s.KUBECONFIG, '--wait']).catch(() => undefined);
  await kubectl(['delete', 'namespace', RELEASE, '--wait=false']).catch(() => undefined);
});

it('classic mode: an init container renders first, a sidecar container keeps running; the app starts with its file', async () => {
  await kubectl(['apply', '-f', '-'], JSON.stringify(deployment('classic', ns, optedInTemplate('classic', ns, APP_IMAGE, appScript(MOUNT, 'config', true), annotations, 'Always'))));
  const pod = await readyPod('classic');
  expect(pod.spec.initContainers?.map((c) => [c.name, c.restartPolicy])).toEqual([['secrets-broker-init', undefined]]);
  expect(pod.spec.containers.map((c) => c.name)).toEqual(['main', 'secrets-broker']);
  expect(pod.status.containerStatuses?.map((c) => [c.name, c.ready, c.restartCount]).sort()).toEqual([['main', true, 0], ['secrets-broker', true, 0]]);
  expect((await report(pod.metadata.name)).passwordSha256).toBe(sha256(password));
});

it('SIDECAR_RUN_AS_USER empty, a pod with arbitrary uid, gid and fsGroup: the sidecar runs as the pod user, the app reads through fsGroup', async () => {
  await installAlt('--set', 'injector.sidecarMode=native', '--set', 'sidecar.runAsUser=null');
  const [uid, gid, fsGroup] = [1000650000, 1000650001, 1000650002];
  const t = optedInTemplate('assigned', ns, APP_IMAGE, appScript(MOUNT, 'config', true), annotations, 'Always') as { spec: { securityContext: object } };
  const spec = { ...t.spec, securityContext: { ...t.spec.securityContext, runAsUser: uid, runAsGroup: gid, fsGroup } };
  await kubectl(['apply', '-f', '-'], JSON.stringify(deployment('assigned', ns, { ...t, spec })));
  const pod = await readyPod('assigned');
  const sidecar = pod.spec.initContainers?.find((c) => c.name === 'secrets-broker');
  expect(sidecar?.securityContext).not.toHaveProperty('runAsUser');
  const r = await report(pod.metadata.name);
  expect(r.passwordSha256).toBe(sha256(password));
  expect([r.mode, r.uid, r.gid]).toEqual(['0440', uid, fsGroup]);
});

it('the injector scaled to zero with failurePolicy Fail: opted-in pods are refused at apply, others are created', async () => {
  const instance = `app.kubernetes.io/instance=${RELEASE}`;
  await kubectl(['-n', RELEASE, 'scale', 'deployment', '-l', instance, '--replicas=0']);
  const service = await kubectl(['-n', RELEASE, 'get', 'service', '-l', instance, '-o', 'jsonpath={.items[0].metadata.name}']);
  await waitFor('no injector endpoint', async () => !(await kubectl(['-n', RELEASE, 'get', 'endpointslices', '-l', `kubernetes.io/service-name=${service}`, '-o', 'jsonpath={.items[*].endpoints[*].conditions.ready}'])).includes('true'), { timeoutMs: 60_000, intervalMs: 250 });
  // A terminating injector still answers on the apiserver's kept-alive connection while it drains: wait until it is gone.
  await kubectl(['-n', RELEASE, 'wait', '--for=delete', 'pod', '-l', instance, '--timeout=60s']);
  const t = optedInTemplate('blocked', ns, APP_IMAGE, 'setInterval(() => {}, 1e9)', annotations, 'Never') as { metadata: object; spec: object };
  expect(await refusal(kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { ...t.metadata, name: 'blocked', namespace: ns }, spec: t.spec })))).toMatch(/failed calling webhook "inject\.secrets-broker\.io"/);
  const plain = restrictedPod('plain', ns, APP_IMAGE, { command: ['node', '-e', 'setInterval(() => {}, 1e9)'] });
  await expect(kubectl(['apply', '-f', '-'], JSON.stringify(plain))).resolves.toMatch(/pod\/plain created/);
});
