/**
 * The stack's real node (SB_NODE=1; `npm run test:node`, Jest project `node`): the node is
 * Ready, PodSecurity enforces the restricted level, the project's image runs `--version` in
 * a real pod to Succeeded, a pod reaches Vault, kube-apiserver and PostgreSQL on the
 * gateway address (and not on the host's loopback), and `stack:down` leaves nothing of the
 * node on the host. Fails, saying so, when the running stack has no node.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { leftovers, readHost, restrictedPod, type NodeNames } from './helpers/node';
import { kubectl, refusal, stack, uniqueName } from './helpers/stack';

jest.setTimeout(300_000);

const repo = join(__dirname, '..', '..');
const version = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string }).version;
const IMAGE = `secrets-broker:${version}`;

interface NodeEnv {
  SB_NODE?: string;
  SB_NODE_NAME: string;
  SB_NODE_DIR: string;
  SB_NODE_BRIDGE: string;
  SB_NODE_NET: string;
  CONTAINERD_ADDRESS: string;
  POD_KUBE_API_URL: string;
  POD_VAULT_ADDR: string;
  POD_PGHOST: string;
  PGPORT: string;
}
let env: NodeEnv;
let names: NodeNames;
let sysctlsBefore: string;
const ns = uniqueName('node-restricted');

beforeAll(async () => {
  env = stack() as unknown as NodeEnv;
  if (env.SB_NODE !== '1' || !env.SB_NODE_DIR) {
    throw new Error('the running stack has no node: run SB_NODE=1 npm run stack:up, or npm run test:node');
  }
  names = { dir: env.SB_NODE_DIR, bridge: env.SB_NODE_BRIDGE, network: env.SB_NODE_NET, socket: env.CONTAINERD_ADDRESS };
  sysctlsBefore = readFileSync(join(env.SB_NODE_DIR, 'sysctl.orig'), 'utf8');
  await kubectl(['create', 'namespace', ns]);
  await kubectl(['label', 'namespace', ns, 'pod-security.kubernetes.io/enforce=restricted']);
  // The controller-manager makes both for every new namespace; pods need the service account.
  for (const made of ['configmap/kube-root-ca.crt', 'serviceaccount/default']) {
    await kubectl(['-n', ns, 'wait', '--for=create', made, '--timeout=60s']);
  }
});

async function runToEnd(name: string, manifest: object): Promise<{ phase: string; logs: string; ms: number }> {
  const t0 = Date.now();
  await kubectl(['apply', '-f', '-'], JSON.stringify(manifest));
  await kubectl(['-n', ns, 'wait', `pod/${name}`, '--for=jsonpath={.status.phase}=Succeeded', '--timeout=120s']).catch(() => undefined);
  const ms = Date.now() - t0;
  const phase = (await kubectl(['-n', ns, 'get', 'pod', name, '-o', 'jsonpath={.status.phase}'])).trim();
  return { phase, logs: await kubectl(['-n', ns, 'logs', name]), ms };
}

describe('the node', () => {
  it('is Ready under its own name, at the gateway address', async () => {
    const node = JSON.parse(await kubectl(['get', 'node', env.SB_NODE_NAME, '-o', 'json']));
    const ready = node.status.conditions.find((c: { type: string }) => c.type === 'Ready');
    expect(ready.status).toBe('True');
    expect(node.status.addresses).toContainEqual({ type: 'InternalIP', address: env.POD_PGHOST });
  });

  it.each([
    ['no securityContext', {}],
    ['root user', { runAsUser: 0 }],
  ])('PodSecurity rejects a pod with %s in a restricted namespace', async (_what, podSecurity) => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: uniqueName('bad'), namespace: ns },
      spec: { securityContext: podSecurity, containers: [{ name: 'main', image: IMAGE, imagePullPolicy: 'Never' }] },
    };
    expect(await refusal(kubectl(['apply', '-f', '-'], JSON.stringify(pod)))).toContain('violates PodSecurity "restricted');
  });

  it('runs the image with --version in a restricted pod to Succeeded', async () => {
    const name = uniqueName('version');
    const run = await runToEnd(name, restrictedPod(name, ns, IMAGE, { args: ['--version'] }));
    expect(run.phase).toBe('Succeeded');
    expect(run.logs.trim()).toBe(version);
    console.log(`node: kubectl apply to Succeeded (--version pod): ${run.ms} ms`);
  });

  it('a pod reaches Vault, kube-apiserver and PostgreSQL on the gateway address, not on loopback', async () => {
    const name = uniqueName('reach');
    const script = `
      const https = require('node:https'), net = require('node:net'), fs = require('node:fs');
      const ca = fs.readFileSync('/config/ca.crt');
      const get = (u) => new Promise((r) => https.get(u, { ca, timeout: 5000 }, (res) => { res.resume(); r(res.statusCode); }).on('error', (e) => r(e.code)));
      const tcp = (h, p) => new Promise((r) => { const s = net.connect(p, h, () => { s.end(); r('open'); }); s.on('error', (e) => r(e.code)); });
      (async () => console.log(JSON.stringify({
        vault: await get(${JSON.stringify(env.POD_VAULT_ADDR)} + '/v1/sys/health'),
        kube: await get(${JSON.stringify(env.POD_KUBE_API_URL)} + '/readyz'),
        pg: await tcp(${JSON.stringify(env.POD_PGHOST)}, ${Number(env.PGPORT)}),
        loopback: await tcp('127.0.0.1', ${Number(env.PGPORT)}),
      })))();`;
    const run = await runToEnd(name, restrictedPod(name, ns, IMAGE, { command: ['node', '-e', script], configMap: 'kube-root-ca.crt' }));
    expect(run.phase).toBe('Succeeded');
    expect(JSON.parse(run.logs)).toEqual({ vault: 200, kube: 200, pg: 'open', loopback: 'ECONNREFUSED' });
  });
});

describe('npm run stack:down', () => {
  it('leaves no mount, bridge, iptables chain, process, state directory or sysctl change of the node, a pod still running', async () => {
    const name = uniqueName('running');
    await kubectl(['apply', '-f', '-'], JSON.stringify(restrictedPod(name, ns, IMAGE, { command: ['node', '-e', 'setInterval(() => {}, 1e9)'] })));
    await kubectl(['-n', ns, 'wait', `pod/${name}`, '--for=condition=Ready', '--timeout=120s']);
    expect(leftovers(readHost(names), names).length).toBeGreaterThan(0);
    execFileSync('bash', [join(repo, 'test', 'stack', 'down.sh')], { stdio: 'ignore' });
    expect(leftovers(readHost(names), names)).toEqual([]);
    const now = sysctlsBefore
      .trim()
      .split('\n')
      .map((l) => l.split(' ')[0] ?? '')
      .map((key) => `${key} ${execFileSync('sysctl', ['-n', key], { encoding: 'utf8' }).trim()}`);
    expect(now.join('\n')).toBe(sysctlsBefore.trim());
  });
});
