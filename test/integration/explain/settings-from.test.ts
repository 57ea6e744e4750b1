/**
 * explain and policy with `--settings-from`: the chart's own `helm template` output gives
 * the settings, so chart values reach the decision exactly as they reach the injector.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { runExplain } from '../../../src/cli/explain';
import { runPolicy } from '../../../src/cli/policy';
import { settingsFromManifest } from '../../../src/explain/settings-from';
import { CHART_DIR, haveHelm, helm } from '../../helpers/helm';

jest.setTimeout(60_000);

if (!haveHelm()) throw new Error('helm is missing: run `npm run stack:build` (or `bash test/stack/build.sh helm`)');

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';
const VALUES = {
  vault: { addr: 'https://vault.example:8200', authPath: 'auth/k8s-prod' },
  tls: { mode: 'secret', secretName: 'sb-tls' },
  webhook: { caBundle: PEM },
  injector: { excludeNamespaces: ['legacy'], literalSecrets: 'deny' },
  sidecar: { image: { repository: 'registry.example.com/sb-sidecar', tag: '9.9.9' }, tokenAudience: 'vault-prod', revokeOnShutdown: false },
};

const pod = (namespace: string, extra: Record<string, string> = {}) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace, annotations: { 'secrets-broker.io/inject': 'true', 'secrets-broker.io/secret-db': 'database/creds/web', ...extra } }, spec: { serviceAccountName: 'web', containers: [{ name: 'app', image: 'a' }] } });

function streams() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const text = (s: PassThrough): string => (s.read() as Buffer | null)?.toString('utf8') ?? '';
  return { io: { env: { VAULT_ADDR: 'https://not-this.example', SIDECAR_IMAGE: 'not/this:1' }, stdout, stderr }, out: () => text(stdout), err: () => text(stderr) };
}

let rendered: string;

beforeAll(async () => {
  const r = await helm(['template', 'sb', CHART_DIR, '--namespace', 'platform'], VALUES);
  expect(r.stderr).toBe('');
  rendered = join(mkdtempSync(join(tmpdir(), 'sb-settings-from-')), 'chart.yaml');
  writeFileSync(rendered, r.stdout);
});

describe('--settings-from the chart', () => {
  it('takes the values as the chart maps them, and nothing from the environment', async () => {
    const t = streams();
    const flags = { output: 'pod', set: [], namespace: 'default', settingsFrom: rendered };
    await expect(runExplain(['-'], flags, t.io, Readable.from([pod('shop')]))).resolves.toBe(0);
    const out = t.out();
    expect(out).toContain('image: registry.example.com/sb-sidecar:9.9.9');
    expect(out).toContain('value: https://vault.example:8200');
    expect(out).toContain('audience: vault-prod');
    expect(out).not.toContain('not-this.example');
  });

  it.each([
    ['the release namespace is the injector\'s own', 'platform', /skipped: the namespace is the injector's own/],
    ['injector.excludeNamespaces', 'legacy', /skipped: the namespace is excluded/],
  ])('%s', async (_name, namespace, expected) => {
    const t = streams();
    await runExplain(['-'], { output: 'summary', set: [], namespace: 'default', settingsFrom: rendered }, t.io, Readable.from([pod(namespace)]));
    expect(t.out()).toMatch(expected);
  });

  it('injector.literalSecrets=deny denies; --set still wins over the chart', async () => {
    const literal = JSON.stringify({ ...JSON.parse(pod('shop')), spec: { serviceAccountName: 'web', containers: [{ name: 'app', image: 'a', env: [{ name: 'AWS_KEY_ID', value: ['AK', 'IA', 'J7PQ2XK4MZ5RT3WB'].join('') }] }] } });
    const denied = streams();
    await expect(runExplain(['-'], { output: 'summary', set: [], namespace: 'default', settingsFrom: rendered }, denied.io, Readable.from([literal]))).resolves.toBe(1);
    const warned = streams();
    await expect(runExplain(['-'], { output: 'summary', set: ['INJECTOR_LITERAL_SECRETS=warn'], namespace: 'default', settingsFrom: rendered }, warned.io, Readable.from([literal]))).resolves.toBe(0);
  });

  it('policy: the auth path, audience and revocation setting of the chart', async () => {
    const t = streams();
    await expect(runPolicy(['-'], { format: 'json', set: [], mount: [], namespace: 'default', settingsFrom: rendered }, t.io, Readable.from([pod('shop')]))).resolves.toBe(0);
    const [role] = JSON.parse(t.out()) as { authRole: { path: string; payload: { audience: string } }; policy: { rules: { path: string }[] } }[];
    expect(role?.authRole.path).toBe('auth/k8s-prod/role/web');
    expect(role?.authRole.payload.audience).toBe('vault-prod');
    expect(role?.policy.rules.map((r) => r.path)).not.toContain('sys/leases/revoke');
  });
});

describe('settingsFromManifest', () => {
  it.each([
    ['no injector Deployment', 'kind: Service\nmetadata: {name: s}\n', /no injector Deployment/],
    ['a setting from valueFrom', JSON.stringify({ kind: 'Deployment', spec: { template: { spec: { containers: [{ name: 'i', env: [{ name: 'INJECTOR_TLS_CERT_FILE', value: 'x' }, { name: 'VAULT_ADDR', valueFrom: { configMapKeyRef: { name: 'c', key: 'k' } } }] }] } } } }), /VAULT_ADDR comes from valueFrom; give it with --set/],
  ])('%s is a problem', (_name, text, expected) => {
    const r = settingsFromManifest(text, 'f.yaml');
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.problems.join('\n')).toMatch(expected);
  });
});
