/**
 * The chart on the stack's real node (`npm run test:node`, Jest project `node`):
 * `npm run stack:install` runs the injector as the chart's Deployment, registered by
 * service, and real pods in a restricted namespace get their secrets from the stack's Vault
 * through the sidecar it injects. The app is the project's image running a small node
 * script that exits non-zero when its secret file is missing at start; assertions read a
 * hash of the value and the file's mode, owner and mount, never the value itself.
 */
import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { APP_IMAGE, appScript, deployment, ensureInstalled, job, optedInTemplate, prepareNamespace, reportScript, REPO, type SecretReport } from './helpers/pods';
import { kubectl, uniqueName, vault, waitFor } from './helpers';

jest.setTimeout(300_000); // each test's limit: pods start on a real kubelet

const ns = uniqueName('pods');
const id = ns.replace(/[^a-z0-9]/g, '');
const role = `pods-${id}`;
const kvPath = `secret/data/pods/${id}`;
const MOUNT = '/secrets';
const FILE = 'config';
/** The chart's default sidecar.tmpfsSize (16Mi), as the kernel reports it. */
const TMPFS_SIZE = 'size=16384k';
const ROTATE_S = 10;
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const annotations = {
  'secrets-broker.io/role': role,
  [`secrets-broker.io/secret-${FILE}`]: kvPath,
  'secrets-broker.io/rotate-interval': `${ROTATE_S}s`,
};

interface ContainerStatus {
  name: string;
  ready: boolean;
  restartCount: number;
  state: { running?: { startedAt: string } };
}
interface PodStatus {
  metadata: { name: string; annotations?: Record<string, string> };
  spec: { initContainers?: { name: string; restartPolicy?: string }[] };
  status: { containerStatuses?: ContainerStatus[] };
}

async function putSecret(): Promise<string> {
  const password = randomBytes(16).toString('hex');
  await vault('POST', kvPath, { data: { password } });
  return password;
}

async function podOf(app: string): Promise<PodStatus | undefined> {
  const list = JSON.parse(await kubectl(['-n', ns, 'get', 'pods', '-l', `app=${app}`, '-o', 'json'])) as { items: PodStatus[] };
  return list.items[0];
}

const main = (p: PodStatus | undefined): ContainerStatus | undefined => p?.status.containerStatuses?.find((c) => c.name === 'main');

async function report(pod: string): Promise<SecretReport> {
  return JSON.parse(await kubectl(['-n', ns, 'exec', pod, '-c', 'main', '--', 'node', '-e', reportScript(MOUNT, FILE)])) as SecretReport;
}

let password: string;

beforeAll(async () => {
  await ensureInstalled(REPO);
  await prepareNamespace(ns);
  await vault('PUT', `sys/policies/acl/${role}`, {
    policy: `path "${kvPath}" { capabilities = ["read"] }\npath "secret/metadata/pods/${id}" { capabilities = ["read"] }\npath "sys/internal/ui/mounts/*" { capabilities = ["read"] }`,
  });
  await vault('POST', `auth/kubernetes/role/${role}`, { bound_service_account_names: 'app', bound_service_account_namespaces: ns, audience: 'vault', token_policies: role, token_ttl: '10m' });
  password = await putSecret();
});

afterAll(async () => {
  await kubectl(['delete', 'namespace', ns, '--wait=false']).catch(() => undefined);
});

describe('npm run stack:install', () => {
  it('runs the injector as a Ready Deployment of the project image, registered by service', async () => {
    const d = JSON.parse(await kubectl(['-n', 'secrets-broker', 'get', 'deployment', 'secrets-broker', '-o', 'json']));
    expect(d.status.readyReplicas).toBe(1);
    expect(d.spec.template.spec.containers[0]).toMatchObject({ image: APP_IMAGE, imagePullPolicy: 'IfNotPresent' });
    const mwc = JSON.parse(await kubectl(['get', 'mutatingwebhookconfiguration', 'secrets-broker', '-o', 'json']));
    expect(mwc.webhooks[0].clientConfig.url).toBeUndefined();
    expect(mwc.webhooks[0].clientConfig.service).toMatchObject({ name: 'secrets-broker', namespace: 'secrets-broker', path: '/mutate' });
  });

  it('a second run upgrades the release in place, the injector still Ready', async () => {
    // Helm keeps each revision as a Secret labelled with its number (old ones are pruned).
    const rev = async (): Promise<number> => {
      const list = JSON.parse(await kubectl(['-n', 'secrets-broker', 'get', 'secret', '-l', 'owner=helm,name=secrets-broker', '-o', 'json'])) as { items: { metadata: { labels: { version: string } } }[] };
      return Math.max(...list.items.map((i) => Number(i.metadata.labels.version)));
    };
    const before = await rev();
    await promisify(execFile)('bash', [join(REPO, 'test', 'stack', 'install.sh')], { cwd: REPO, timeout: 280_000 });
    expect(await rev()).toBe(before + 1);
    const d = JSON.parse(await kubectl(['-n', 'secrets-broker', 'get', 'deployment', 'secrets-broker', '-o', 'json']));
    expect(d.status.readyReplicas).toBe(1);
  });
});

describe('an opted-in Deployment in a restricted namespace', () => {
  const name = 'web';
  let pod: string;

  it('becomes Ready with restartCount 0: the app started after its secret file existed', async () => {
    const t0 = Date.now();
    await kubectl(['apply', '-f', '-'], JSON.stringify(deployment(name, ns, optedInTemplate(name, ns, APP_IMAGE, appScript(MOUNT, FILE, true), annotations, 'Always'))));
    await waitFor('app container running and Ready', async () => main(await podOf(name))?.ready === true, { timeoutMs: 180_000, intervalMs: 250 });
    console.log(`pods: kubectl apply to app running with its secret: ${Date.now() - t0} ms`);
    const p = await podOf(name);
    pod = p?.metadata.name ?? '';
    expect(main(p)).toMatchObject({ ready: true, restartCount: 0, state: { running: expect.anything() } });
    // Through the chart's webhook: the native sidecar the injector adds.
    expect(p?.metadata.annotations?.['secrets-broker.io/status']).toBe('injected');
    expect(p?.spec.initContainers).toContainEqual(expect.objectContaining({ name: 'secrets-broker', restartPolicy: 'Always' }));
    const logs = await kubectl(['-n', ns, 'logs', pod, '-c', 'main']);
    expect(logs).not.toContain(password);
    expect((JSON.parse(logs) as SecretReport).passwordSha256).toBe(sha256(password));
  });

  it('the app reads the secret from a tmpfs of the configured size, mode 0440, owned by the sidecar user and the pod group', async () => {
    const r = await report(pod);
    expect(r.fields).toEqual(['password']);
    expect(r.passwordSha256).toBe(sha256(password));
    expect(r.mount).toMatch(new RegExp(`^tmpfs ${MOUNT} tmpfs ro,.*${TMPFS_SIZE}`));
    // docs/injector.md: 0440, the sidecar's user (65530), the group every app container runs as.
    expect([r.mode, r.uid, r.gid]).toEqual(['0440', 65530, 65532]);
  });

  it('a KV v2 rotation reaches the running app within the rotate interval', async () => {
    const t0 = Date.now();
    const next = await putSecret();
    await waitFor('rotated secret in the app', async () => (await report(pod)).passwordSha256 === sha256(next), { timeoutMs: (ROTATE_S + 5) * 1000, intervalMs: 500 });
    console.log(`pods: KV v2 write to the new value in the app: ${Date.now() - t0} ms (interval ${ROTATE_S} s)`);
    password = next;
    expect(main(await podOf(name))?.restartCount).toBe(0);
  });
});

it('a Job with lifecycle init-only completes, its app having read the secret', async () => {
  const name = 'once';
  const template = optedInTemplate(name, ns, APP_IMAGE, appScript(MOUNT, FILE, false), { ...annotations, 'secrets-broker.io/lifecycle': 'init-only' }, 'Never');
  await kubectl(['apply', '-f', '-'], JSON.stringify(job(name, ns, template)));
  await kubectl(['-n', ns, 'wait', `job/${name}`, '--for=condition=Complete', '--timeout=180s']);
  const logs = await kubectl(['-n', ns, 'logs', `job/${name}`, '-c', 'main']);
  expect((JSON.parse(logs) as SecretReport).passwordSha256).toBe(sha256(password));
});
