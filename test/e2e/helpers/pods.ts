/**
 * Workloads for the chart-on-the-node tests (pods.e2e.test.ts): restricted-compliant pods
 * running the project's image with a small node script as the app, opted in to the
 * injector by annotations, and the script that reports on a secret file without ever
 * printing its value.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { restrictedPod } from './node';
import { kubectl, stack } from './stack';
import { waitFor } from '../../helpers/wait';

/** The fields the app (or kubectl exec) reports about a rendered KV secret: never its value. */
export interface SecretReport {
  fields: string[];
  /** sha256 hex of the `password` field. */
  passwordSha256: string;
  mode: string;
  uid: number;
  gid: number;
  /** The /proc/mounts line for the mount path, or null. */
  mount: string | null;
}

/** A node script printing a SecretReport of `file` under `mountPath` as one JSON line. */
export function reportScript(mountPath: string, file: string): string {
  return `
    const fs = require('node:fs'), crypto = require('node:crypto');
    const p = ${JSON.stringify(`${mountPath}/${file}`)};
    const data = JSON.parse(fs.readFileSync(p, 'utf8')), st = fs.statSync(p);
    const mount = fs.readFileSync('/proc/mounts', 'utf8').split('\\n').find((l) => l.split(' ')[1] === ${JSON.stringify(mountPath)}) ?? null;
    console.log(JSON.stringify({
      fields: Object.keys(data).sort(),
      passwordSha256: crypto.createHash('sha256').update(String(data.password)).digest('hex'),
      mode: (st.mode & 0o777).toString(8).padStart(4, '0'), uid: st.uid, gid: st.gid, mount,
    }));`;
}

/**
 * The app: exits 1 when its secret file is missing at start (so a restart shows it started
 * too early), prints its report, then stays up (`keep`) or exits 0.
 */
export function appScript(mountPath: string, file: string, keep: boolean): string {
  return `
    if (!require('node:fs').existsSync(${JSON.stringify(`${mountPath}/${file}`)})) { console.error('secret file missing at start'); process.exit(1); }
    ${reportScript(mountPath, file)}
    ${keep ? 'setInterval(() => {}, 1e9);' : ''}`;
}

interface PodShape {
  spec: Record<string, unknown>;
}

/** A restricted pod template (metadata and spec) running `script`, with the service account and annotations. */
export function optedInTemplate(name: string, namespace: string, image: string, script: string, annotations: Record<string, string>, restartPolicy: string): object {
  const pod = restrictedPod(name, namespace, image, { command: ['node', '-e', script] }) as PodShape;
  return {
    metadata: { labels: { app: name }, annotations: { 'secrets-broker.io/inject': 'true', ...annotations } },
    spec: { ...pod.spec, serviceAccountName: 'app', restartPolicy },
  };
}

export function deployment(name: string, namespace: string, template: object): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: { replicas: 1, selector: { matchLabels: { app: name } }, template },
  };
}

export function job(name: string, namespace: string, template: object): object {
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace }, spec: { backoffLimit: 0, template } };
}

/** Runs `npm run stack:install` unless the chart's injector is already Ready in the stack. */
export async function ensureInstalled(repo: string): Promise<void> {
  const env = stack() as unknown as { SB_NODE?: string };
  if (env.SB_NODE !== '1') throw new Error('the running stack has no node: run SB_NODE=1 npm run stack:up, or npm run test:node');
  const ready = await kubectl(['-n', 'secrets-broker', 'get', 'deployment', 'secrets-broker', '-o', 'jsonpath={.status.readyReplicas}']).catch(() => '');
  if (ready.trim() === '1') return;
  await promisify(execFile)('bash', [join(repo, 'test', 'stack', 'install.sh')], { cwd: repo, timeout: 280_000 });
}

/**
 * A namespace enforcing the restricted Pod Security level, sent to the chart's webhook
 * (`selector`: the value of its secrets-broker-stack label), with service account `app`
 * and the CA ConfigMap the sidecar trusts Vault through (the controller-manager adds it).
 */
export async function prepareNamespace(ns: string, selector = 'enabled'): Promise<void> {
  await kubectl(['create', 'namespace', ns]);
  await kubectl(['label', 'namespace', ns, 'pod-security.kubernetes.io/enforce=restricted', `secrets-broker-stack=${selector}`]);
  await kubectl(['-n', ns, 'wait', '--for=create', 'configmap/kube-root-ca.crt', '--timeout=60s']);
  await kubectl(['-n', ns, 'create', 'serviceaccount', 'app']);
}

/** The repository, and the project's image as the node's containerd knows it (`npm run stack:install` imports it). */
export const REPO = join(__dirname, '..', '..', '..');
export const APP_IMAGE = `secrets-broker:${(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version}`;

interface PodLike {
  status: { containerStatuses?: { name: string; ready: boolean }[] };
}

/** The first pod labelled app=`app` in `ns`, as kubectl returns it, or undefined. */
export async function podOf<P extends PodLike>(ns: string, app: string): Promise<P | undefined> {
  return (JSON.parse(await kubectl(['-n', ns, 'get', 'pods', '-l', `app=${app}`, '-o', 'json'])) as { items: P[] }).items[0];
}

/** Waits until the app container `main` of that pod is Ready; resolves the pod. */
export async function readyPod<P extends PodLike>(ns: string, app: string): Promise<P> {
  const ready = async (): Promise<boolean> => (await podOf<P>(ns, app))?.status.containerStatuses?.find((c) => c.name === 'main')?.ready === true;
  await waitFor(`${app}: app container Ready`, ready, { timeoutMs: 180_000, intervalMs: 250 });
  const p = await podOf<P>(ns, app);
  if (!p) throw new Error(`${app}: no pod`);
  return p;
}
