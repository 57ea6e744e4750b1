/**
 * What happens to injected pods on the stack's real node after they start (`npm run
 * test:node`): app notification by signal and by HTTP, database credentials the app logs
 * in to PostgreSQL with while they are renewed and replaced, a Job with the default
 * lifecycle, a denied pod at `kubectl apply`, a killed sidecar, and pod deletion (token and
 * leases revoked, the pod's audit trail verifies). Every workload runs in one restricted
 * namespace; assertions read hashes, counts and outcomes, never a value.
 */
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { hookApp, logLines, pgApp, signalApp, watchApp } from './helpers/pod-apps';
import { APP_IMAGE, appScript, deployment, ensureInstalled, job, optedInTemplate, podOf as podIn, prepareNamespace, readyPod as readyIn, REPO, type SecretReport } from './helpers/pods';
import { kubectl, refusal, stack, startProcess, uniqueName, vault, waitFor } from './helpers';

jest.setTimeout(300_000);

const ns = uniqueName('life');
const id = ns.replace(/[^a-z0-9]/g, '');
const role = `life-${id}`;
const kvPath = `secret/data/life/${id}`;
const dbRole = `life-${id}`;
const MOUNT = '/secrets';
const ROTATE_S = 10;
/** Database leases: renewed at 2/3 of 24 s, replaced at 2/3 of what is left once the 60 s max TTL cuts a renewal short. */
const DB_TTL_S = 24;
const DB_MAX_TTL_S = 60;
const HOOK_PORT = 8081;
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const kv = { 'secrets-broker.io/role': role, 'secrets-broker.io/secret-config': kvPath, 'secrets-broker.io/rotate-interval': `${ROTATE_S}s` };
const CONFIG = `${MOUNT}/config`;

interface ContainerStatus {
  name: string;
  ready: boolean;
  restartCount: number;
  containerID?: string;
}
interface Pod {
  metadata: { name: string; uid: string };
  status: { phase?: string; containerStatuses?: ContainerStatus[]; initContainerStatuses?: ContainerStatus[] };
}

const podOf = (app: string): Promise<Pod | undefined> => podIn<Pod>(ns, app);
const readyPod = (app: string): Promise<Pod> => readyIn<Pod>(ns, app);
const mainOf = (p: Pod | undefined): ContainerStatus | undefined => p?.status.containerStatuses?.find((c) => c.name === 'main');
const sidecarOf = (p: Pod | undefined): ContainerStatus | undefined => p?.status.initContainerStatuses?.find((c) => c.name === 'secrets-broker');

const logsOf = async <T>(pod: string, container = 'main'): Promise<T[]> => logLines<T>(await kubectl(['-n', ns, 'logs', pod, '-c', container]));

async function putSecret(): Promise<string> {
  const password = randomBytes(16).toString('hex');
  await vault('POST', kvPath, { data: { password } });
  return password;
}

function app(name: string, script: string, annotations: Record<string, string>, extra: object = {}): string {
  const t = optedInTemplate(name, ns, APP_IMAGE, script, annotations, 'Always') as { spec: object };
  return JSON.stringify(deployment(name, ns, { ...t, spec: { ...t.spec, ...extra } }));
}

let password: string;

beforeAll(async () => {
  await ensureInstalled(REPO);
  await prepareNamespace(ns);
  const dbDefault = (await vault('GET', 'database/roles/app')).body.data as Record<string, unknown>;
  await vault('POST', `database/roles/${dbRole}`, { ...dbDefault, db_name: 'app', default_ttl: `${DB_TTL_S}s`, max_ttl: `${DB_MAX_TTL_S}s` });
  await vault('PUT', `sys/policies/acl/${role}`, {
    policy: [`path "${kvPath}" { capabilities = ["read"] }`, `path "secret/metadata/life/${id}" { capabilities = ["read"] }`,
      `path "database/creds/${dbRole}" { capabilities = ["read"] }`, 'path "sys/internal/ui/mounts/*" { capabilities = ["read"] }'].join('\n'),
  });
  await vault('POST', `auth/kubernetes/role/${role}`, { bound_service_account_names: 'app', bound_service_account_namespaces: ns, audience: 'vault', token_policies: role, token_ttl: '10m' });
  password = await putSecret();
  const s = stack() as unknown as { POD_PGHOST: string; PGPORT: string };
  // Every Deployment at once: their pods start side by side.
  const other = { name: 'other', image: APP_IMAGE, imagePullPolicy: 'IfNotPresent', command: ['node', '-e', 'setInterval(() => {}, 1e9)'],
    securityContext: { runAsUser: 1234, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } } };
  const sig = optedInTemplate('sig', ns, APP_IMAGE, signalApp(CONFIG, 'password', 'SIGHUP'), { ...kv, 'secrets-broker.io/notify': 'signal:SIGHUP', 'secrets-broker.io/containers': 'main' }, 'Always') as { spec: { containers: object[] } };
  await kubectl(['apply', '-f', '-'], JSON.stringify(deployment('sig', ns, { ...sig, spec: { ...sig.spec, containers: [...sig.spec.containers, other] } })));
  await kubectl(['apply', '-f', '-'], app('hook', hookApp(CONFIG, 'password', HOOK_PORT), { ...kv, 'secrets-broker.io/notify': `http://127.0.0.1:${HOOK_PORT}/reload` }));
  await kubectl(['apply', '-f', '-'], app('watch', watchApp(CONFIG, 'password', 50), kv));
  const db = { 'secrets-broker.io/role': role, 'secrets-broker.io/secret-db': `database/creds/${dbRole}`, 'secrets-broker.io/format-db': 'json', 'secrets-broker.io/file-db': 'db.json' };
  await kubectl(['apply', '-f', '-'], app('db', pgApp(`${MOUNT}/db.json`, s.POD_PGHOST, Number(s.PGPORT), 'app', 1000), db));
});

afterAll(async () => {
  await kubectl(['delete', 'namespace', ns, '--wait=false']).catch(() => undefined);
});

describe('notification of a rotation', () => {
  it('signal:SIGHUP reaches the app main process, which then reads the new value', async () => {
    const pod = (await readyPod('sig')).metadata.name;
    const next = await putSecret();
    await waitFor('SIGHUP counted by the app', async () => (await logsOf<{ signal?: string }>(pod)).some((l) => l.signal === 'SIGHUP'), { timeoutMs: (ROTATE_S + 10) * 1000, intervalMs: 500 });
    const signals = (await logsOf<{ signal?: string; sha?: string }>(pod)).filter((l) => l.signal === 'SIGHUP');
    expect(signals.at(-1)?.sha).toBe(sha256(next));
    password = next;
    expect(mainOf(await podOf('sig'))?.restartCount).toBe(0);
  });

  it('a container not named in `containers`, running as another uid, has no secrets mount', async () => {
    const pod = (await readyPod('sig')).metadata.name;
    const out = await kubectl(['-n', ns, 'exec', pod, '-c', 'other', '--', 'node', '-e', `console.log(require('node:fs').existsSync(${JSON.stringify(CONFIG)}), process.getuid())`]);
    expect(out.trim()).toBe('false 1234');
  });

  it('http://127.0.0.1:<port>/reload gets a POST after the file changed', async () => {
    const pod = (await readyPod('hook')).metadata.name;
    const next = await putSecret();
    await waitFor('POST /reload', async () => (await logsOf<{ sha?: string; hook?: string }>(pod)).some((l) => l.hook === 'POST /reload' && l.sha === sha256(next)), { timeoutMs: (ROTATE_S + 10) * 1000, intervalMs: 500 });
    password = next;
  });
});

describe('database credentials in a running pod', () => {
  interface Login { login?: boolean; user?: string; error?: string }
  it('the app logs in to PostgreSQL with every credential it is given, through renewal and replacement', async () => {
    const pod = (await readyPod('db')).metadata.name;
    const logins = async (): Promise<Login[]> => (await logsOf<Login>(pod)).filter((l) => l.login !== undefined);
    // A replacement: a second user name, and logins with it.
    await waitFor('replaced credentials in use', async () => {
      const users = new Set((await logins()).filter((l) => l.login).map((l) => l.user));
      return users.size >= 2;
    }, { timeoutMs: (DB_MAX_TTL_S + 30) * 1000, intervalMs: 1000 });
    const all = await logins();
    // PostgreSQL never refused the credentials in the file (a SQLSTATE such as 28P01); an
    // attempt lost to the shared machine (a timeout) is not a refusal, and never twice running.
    expect(all.filter((l) => /^[0-9A-Z]{5}$/.test(l.error ?? ''))).toEqual([]);
    const longestOutage = all.reduce((acc, l) => (l.login ? { run: 0, max: acc.max } : { run: acc.run + 1, max: Math.max(acc.max, acc.run + 1) }), { run: 0, max: 0 }).max;
    expect(longestOutage).toBeLessThanOrEqual(1);
    expect(all.length).toBeGreaterThan(DB_TTL_S);
    expect(mainOf(await podOf('db'))?.restartCount).toBe(0);
  });
});

describe('the sidecar killed', () => {
  it('the kubelet restarts it; the app keeps running and never sees a missing, empty or torn file', async () => {
    const pod = await readyPod('watch');
    const before = sidecarOf(pod);
    const cid = (before?.containerID ?? '').replace(/^containerd:\/\//, '');
    const s = stack() as unknown as { SB_BIN: string; CONTAINER_RUNTIME_ENDPOINT: string };
    const info = JSON.parse(await crictl(s, ['inspect', cid])) as { info: { pid: number } };
    process.kill(info.info.pid, 'SIGKILL');
    await waitFor('sidecar restarted and Ready', async () => {
      const c = sidecarOf(await podOf('watch'));
      return (c?.restartCount ?? 0) > (before?.restartCount ?? 0) && c?.ready === true;
    }, { timeoutMs: 120_000, intervalMs: 250 });
    const next = await putSecret();
    await waitFor('rotation after the restart', async () => (await logsOf<{ sha?: string }>(pod.metadata.name)).some((l) => l.sha === sha256(next)), { timeoutMs: (ROTATE_S + 10) * 1000, intervalMs: 500 });
    password = next;
    expect((await logsOf<{ torn?: number }>(pod.metadata.name)).filter((l) => l.torn !== undefined)).toEqual([]);
    expect(mainOf(await podOf('watch'))?.restartCount).toBe(0);
  });
});

async function crictl(s: { SB_BIN: string; CONTAINER_RUNTIME_ENDPOINT: string }, args: string[]): Promise<string> {
  const child = startProcess(join(s.SB_BIN, 'crictl'), ['--runtime-endpoint', s.CONTAINER_RUNTIME_ENDPOINT, ...args]);
  if ((await child.ended) !== 0) throw new Error(`crictl ${args[0]}: ${child.stderr()}`);
  return child.stdout();
}

it('a Job with the default lifecycle completes: the native sidecar ends with it', async () => {
  await kubectl(['apply', '-f', '-'], JSON.stringify(job('batch', ns, optedInTemplate('batch', ns, APP_IMAGE, appScript(MOUNT, 'config', false), kv, 'Never'))));
  await kubectl(['-n', ns, 'wait', 'job/batch', '--for=condition=Complete', '--timeout=180s']);
  const report = JSON.parse(await kubectl(['-n', ns, 'logs', 'job/batch', '-c', 'main'])) as SecretReport;
  expect(report.passwordSha256).toBe(sha256(password));
});

it('a pod the injector denies gets every problem in the message at kubectl apply', async () => {
  const t = optedInTemplate('bad', ns, APP_IMAGE, 'setInterval(() => {}, 1e9)', { 'secrets-broker.io/role': role, 'secrets-broker.io/secret-a': 'sys/mounts', 'secrets-broker.io/secret-b': kvPath, 'secrets-broker.io/file-b': '../b', 'secrets-broker.io/lifecycle': 'sometimes' }, 'Never') as { metadata: object; spec: object };
  const text = await refusal(kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { ...t.metadata, name: 'bad', namespace: ns }, spec: t.spec })));
  expect(text).toContain('admission webhook "inject.secrets-broker.io" denied the request');
  expect(text).toMatch(/secret-a/);
  expect(text).toMatch(/file-b/);
  expect(text).toMatch(/lifecycle/);
  await expect(kubectl(['-n', ns, 'get', 'pod', 'bad'])).rejects.toThrow(/NotFound/);
});

describe('pod deletion', () => {
  it('revokes the token and the leases, and the audit trail from kubectl logs verifies', async () => {
    const pod = (await readyPod('db')).metadata.name;
    const s = stack() as unknown as { SB_BIN: string; KUBECONFIG: string };
    const logs = startProcess(join(s.SB_BIN, 'kubectl'), ['-n', ns, 'logs', '-f', pod, '-c', 'secrets-broker'], { env: { ...process.env, KUBECONFIG: s.KUBECONFIG } });
    await waitFor('log stream open', () => logs.stdout().includes('"auth.login"'), { timeoutMs: 30_000, intervalMs: 200 });
    const leases = async (): Promise<string[]> => ((await vault('LIST', `sys/leases/lookup/database/creds/${dbRole}`)).body.data?.keys as string[] | undefined) ?? [];
    expect((await leases()).length).toBeGreaterThan(0);
    await kubectl(['-n', ns, 'scale', 'deployment/db', '--replicas=0']);
    expect(await logs.ended).toBe(0);
    const records = logLines<{ event?: string; vault?: { accessor?: string } }>(logs.stdout());
    const accessor = records.find((r) => r.event === 'auth.login')?.vault?.accessor;
    expect(accessor).toEqual(expect.any(String));
    expect(records.some((r) => r.event === 'auth.revoke')).toBe(true);
    const lookup = await vault('POST', 'auth/token/lookup-accessor', { accessor });
    expect(lookup.status).toBe(400);
    expect(await leases()).toEqual([]);
    const verify = startProcess(process.execPath, [join(REPO, 'dist', 'src', 'cli', 'bin.js'), 'audit', 'verify', '/dev/stdin'], { input: logs.stdout() });
    expect(await verify.ended).toBe(0);
  });
});
