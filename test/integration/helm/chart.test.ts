/**
 * The Helm chart, rendered by the stack's helm (`helm template`, `helm lint --strict`) with
 * several value sets and checked on the parsed objects: the injector Deployment and what
 * keeps it available and locked down, the webhook's rules, every injector setting, both
 * TLS modes, the optional objects, and the values the schema or the chart refuse.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { AUDIT_ENV } from '../../../src/config/audit';
import { INJECTOR_NODE_OPTIONS } from '../../../injector/node-flags';
import { INJECTOR_SETTING_NAMES } from '../../../src/config/injector';
import { IMAGE_CLI } from '../../../src/sidecar-env';
import { CHART_DIR, haveHelm, helm, renderChart, type K8sObject } from '../../helpers/helm';

jest.setTimeout(60_000);

if (!haveHelm()) throw new Error('helm is missing: run `npm run stack:build` (or `bash test/stack/build.sh helm`)');

const NS = 'secrets-broker';
const VAULT = 'https://vault.vault.svc:8200';
const base = { vault: { addr: VAULT } };
const chart = parse(readFileSync(join(CHART_DIR, 'Chart.yaml'), 'utf8')) as { version: string; appVersion: string };
const pkg = JSON.parse(readFileSync(join(CHART_DIR, '..', '..', 'package.json'), 'utf8')) as { version: string };
const PEM = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';

const one = (objs: K8sObject[], kind: string): K8sObject => {
  const found = objs.filter((o) => o.kind === kind);
  expect(found.map((o) => o.kind)).toEqual([kind]);
  return found[0]!;
};
const kinds = (objs: K8sObject[]): string[] => objs.map((o) => o.kind).sort();
const envOf = (deploy: K8sObject): Record<string, string> =>
  Object.fromEntries((deploy.spec.template.spec.containers[0].env as { name: string; value: string }[]).map((e) => [e.name, e.value]));
const deep = (a: object, b: object): object => {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = v && typeof v === 'object' && !Array.isArray(v) ? deep((out[k] as object) ?? {}, v) : v;
  return out;
};

describe('defaults', () => {
  let objs: K8sObject[];
  beforeAll(async () => {
    objs = await renderChart(base, NS);
  });

  it('renders exactly the objects of a default install, and no RBAC at all', () => {
    expect(kinds(objs)).toEqual(['Deployment', 'MutatingWebhookConfiguration', 'NetworkPolicy', 'PodDisruptionBudget', 'Secret', 'Service', 'ServiceAccount']);
    expect(objs.filter((o) => /Role/.test(o.kind))).toEqual([]);
  });

  it('chart appVersion is the package version; the image tag defaults to it', () => {
    expect(chart.appVersion).toBe(pkg.version);
    const c = one(objs, 'Deployment').spec.template.spec.containers[0];
    expect(c.image).toBe(`secrets-broker:${chart.appVersion}`);
    expect(c.args).toEqual(['injector']);
  });

  it('Deployment: 2 replicas, no unavailable replica during rollouts, spread over nodes and zones', () => {
    const d = one(objs, 'Deployment');
    expect(d.spec.replicas).toBe(2);
    expect(d.spec.strategy.rollingUpdate).toEqual({ maxUnavailable: 0, maxSurge: 1 });
    const pod = d.spec.template.spec;
    expect(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe('kubernetes.io/hostname');
    expect(pod.topologySpreadConstraints[0].topologyKey).toBe('topology.kubernetes.io/zone');
    expect(d.spec.selector.matchLabels).toEqual(expect.objectContaining({ 'app.kubernetes.io/component': 'injector' }));
    expect(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchLabels['app.kubernetes.io/component']).toBe('injector');
  });

  it('PodDisruptionBudget selects the injector pods', () => {
    const pdb = one(objs, 'PodDisruptionBudget');
    expect(pdb.spec.maxUnavailable).toBe(1);
    expect(pdb.spec.selector.matchLabels).toEqual(one(objs, 'Deployment').spec.selector.matchLabels);
  });

  it('restricted Pod Security: non-root, no privilege escalation, no capabilities, read-only root, RuntimeDefault seccomp', () => {
    const pod = one(objs, 'Deployment').spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.hostNetwork ?? false).toBe(false);
    expect(pod.volumes.every((v: object) => 'secret' in v || 'emptyDir' in v)).toBe(true);
  });

  it('no API access: no service-account token anywhere', () => {
    expect(one(objs, 'ServiceAccount').automountServiceAccountToken).toBe(false);
    expect(one(objs, 'Deployment').spec.template.spec.automountServiceAccountToken).toBe(false);
  });

  it('probes /healthz and /readyz over HTTPS on the webhook port; resources set', () => {
    const c = one(objs, 'Deployment').spec.template.spec.containers[0];
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'https', scheme: 'HTTPS' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'https', scheme: 'HTTPS' });
    expect(c.ports).toEqual([{ name: 'https', containerPort: 8443, protocol: 'TCP' }]);
    // Measured (docs/injector.md, "Memory"): 2 workers (auto follows the CPU limit) and the primary peak at about 300 MiB.
    expect(c.resources.requests).toEqual({ cpu: '100m', memory: '192Mi' });
    expect(c.resources.limits).toEqual({ cpu: '2', memory: '384Mi' });
  });

  it('runs node with the injector\'s V8 flags (injector/node-flags.ts), which its workers inherit', () => {
    expect(envOf(one(objs, 'Deployment')).NODE_OPTIONS).toBe(INJECTOR_NODE_OPTIONS);
  });

  it('every injector setting is in the environment, once, and the TLS files are where the Secret is mounted', () => {
    const env = one(objs, 'Deployment').spec.template.spec.containers[0].env as { name: string }[];
    // AUDIT_FILE itself is named by INJECTOR_AUDIT_FILE for the injector.
    const settings = [...INJECTOR_SETTING_NAMES, ...Object.values(AUDIT_ENV).filter((k) => k !== AUDIT_ENV.file), 'NODE_OPTIONS'];
    expect(env.map((e) => e.name).sort()).toEqual(settings.sort());
    const e = envOf(one(objs, 'Deployment'));
    expect(e).toMatchObject({
      INJECTOR_PORT: '8443',
      INJECTOR_NAMESPACE: NS,
      INJECTOR_LITERAL_SECRETS: 'warn',
      INJECTOR_SIDECAR_MODE: 'native',
      VAULT_ADDR: VAULT,
      VAULT_AUTH_PATH: 'auth/kubernetes',
      SIDECAR_IMAGE: `secrets-broker:${chart.appVersion}`,
      SIDECAR_TOKEN_EXPIRY_SECONDS: '600',
      SIDECAR_REVOKE_ON_SHUTDOWN: 'true',
    });
    const mount = one(objs, 'Deployment').spec.template.spec.containers[0].volumeMounts.find((m: { name: string }) => m.name === 'tls');
    expect(e.INJECTOR_TLS_CERT_FILE).toBe(`${mount.mountPath}/tls.crt`);
    expect(e.INJECTOR_TLS_KEY_FILE).toBe(`${mount.mountPath}/tls.key`);
  });

  it('the settings the injector accepts: the chart default env passes its own config parser', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { loadInjectorConfig } = require('../../../src/config/injector') as typeof import('../../../src/config/injector');
    const cfg = loadInjectorConfig(envOf(one(objs, 'Deployment')));
    expect(cfg.ownNamespace).toBe(NS);
    expect(cfg.excludedNamespaces).toEqual([]);
  });

  it('webhook: pods CREATE (+ ephemeral containers), sideEffects None, 10 s, IfNeeded, Fail, opted-in pods only', () => {
    const mwc = one(objs, 'MutatingWebhookConfiguration');
    expect(mwc.webhooks).toHaveLength(1);
    const w = mwc.webhooks[0];
    expect(w.name).toBe('inject.secrets-broker.io');
    expect(w.rules).toEqual([
      { operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: 'Namespaced' },
      { operations: ['UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods/ephemeralcontainers'], scope: 'Namespaced' },
    ]);
    expect(w).toMatchObject({ sideEffects: 'None', timeoutSeconds: 10, reinvocationPolicy: 'IfNeeded', failurePolicy: 'Fail', admissionReviewVersions: ['v1'] });
    expect(w.namespaceSelector).toEqual({ matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'kube-public', NS] }] });
    expect(w.matchConditions).toEqual([{ name: 'opted-in', expression: expect.stringContaining("object.metadata.annotations['secrets-broker.io/inject'] != 'false'") }]);
    expect(w.clientConfig.service).toEqual({ name: 'sb-secrets-broker', namespace: NS, path: '/mutate', port: 443 });
    expect(one(objs, 'Service').spec.ports[0]).toMatchObject({ port: 443, targetPort: 'https' });
  });

  it('generated TLS: the Secret holds a CA and a serving certificate for the Service names; caBundle is that CA', () => {
    const secret = one(objs, 'Secret');
    expect(secret.type).toBe('kubernetes.io/tls');
    expect(secret.metadata.annotations?.['helm.sh/resource-policy']).toBe('keep');
    const pem = (k: string): Buffer => Buffer.from(secret.data[k] as string, 'base64');
    const ca = new X509Certificate(pem('ca.crt'));
    const cert = new X509Certificate(pem('tls.crt'));
    expect(ca.ca).toBe(true);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    for (const name of ['sb-secrets-broker', `sb-secrets-broker.${NS}`, `sb-secrets-broker.${NS}.svc`, `sb-secrets-broker.${NS}.svc.cluster.local`]) {
      expect(cert.subjectAltName).toContain(`DNS:${name}`);
    }
    expect(pem('tls.key').toString()).toMatch(/PRIVATE KEY/);
    expect(one(objs, 'MutatingWebhookConfiguration').webhooks[0].clientConfig.caBundle).toBe(secret.data['ca.crt']);
  });

  it('NetworkPolicy: ingress to the webhook port only, no egress at all', () => {
    const np = one(objs, 'NetworkPolicy');
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.spec.ingress).toEqual([{ ports: [{ port: 'https', protocol: 'TCP' }] }]);
    expect(np.spec.egress).toEqual([]);
    expect(np.spec.podSelector.matchLabels).toEqual(one(objs, 'Deployment').spec.selector.matchLabels);
  });
});

it('operator values become the injector settings', async () => {
  const objs = await renderChart(deep(base, {
    image: { repository: 'registry.example/secrets-broker', digest: `sha256:${'a'.repeat(64)}` },
    injector: { replicas: 3, excludeNamespaces: ['legacy', 'batch'], literalSecrets: 'deny', sidecarMode: 'classic', logLevel: 'debug', audit: { file: '/var/log/secrets-broker/audit.jsonl', maxBytes: 52428800, keep: 3, checkpointKeySecret: 'audit-key', checkpointEvery: 100 } },
    vault: { authPath: 'auth/jwt', authMethod: 'jwt', namespace: 'team-a', caConfigMap: 'vault-ca', caKey: 'vault.pem' },
    sidecar: { image: { repository: 'registry.example/sidecar', tag: '9.9.9' }, tmpfsSize: '4Mi', tokenExpirySeconds: 3600, resources: { limits: { cpu: '200m', memory: '' } }, maxResources: { limits: { memory: '1Gi' } }, staleAfter: 2678400, revokeOnShutdown: false },
  }));
  const d = one(objs, 'Deployment');
  expect(d.spec.replicas).toBe(3);
  expect(d.spec.template.spec.containers[0].image).toBe(`registry.example/secrets-broker@sha256:${'a'.repeat(64)}`);
  expect(envOf(d)).toMatchObject({
    INJECTOR_EXCLUDE_NAMESPACES: 'legacy,batch',
    INJECTOR_LITERAL_SECRETS: 'deny',
    INJECTOR_SIDECAR_MODE: 'classic',
    INJECTOR_LOG_LEVEL: 'debug',
    INJECTOR_AUDIT_FILE: '/var/log/secrets-broker/audit.jsonl',
    VAULT_AUTH_PATH: 'auth/jwt',
    VAULT_AUTH_METHOD: 'jwt',
    VAULT_NAMESPACE: 'team-a',
    INJECTOR_VAULT_CA_CONFIGMAP: 'vault-ca',
    INJECTOR_VAULT_CA_KEY: 'vault.pem',
    SIDECAR_IMAGE: 'registry.example/sidecar:9.9.9',
    SIDECAR_TMPFS_SIZE: '4Mi',
    SIDECAR_TOKEN_EXPIRY_SECONDS: '3600',
    SIDECAR_CPU_LIMIT: '200m',
    SIDECAR_MEMORY_LIMIT: '',
    SIDECAR_MAX_MEMORY_LIMIT: '1Gi',
    SIDECAR_MAX_CPU_LIMIT: '1',
    SIDECAR_STALE_AFTER: '2678400',
    AUDIT_FILE_MAX_BYTES: '52428800',
    AUDIT_FILE_KEEP: '3',
    AUDIT_CHECKPOINT_KEY_FILE: '/etc/secrets-broker/audit-key/key.pem',
    AUDIT_CHECKPOINT_EVERY: '100',
    SIDECAR_REVOKE_ON_SHUTDOWN: 'false',
  });
  expect(d.spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: 'audit', mountPath: '/var/log/secrets-broker' });
  expect(d.spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: 'audit-key', mountPath: '/etc/secrets-broker/audit-key', readOnly: true });
  expect(d.spec.template.spec.volumes).toContainEqual({ name: 'audit-key', secret: { secretName: 'audit-key', defaultMode: 0o440, items: [{ key: 'key.pem', path: 'key.pem' }] } });
  const w = one(objs, 'MutatingWebhookConfiguration').webhooks[0];
  expect(w.namespaceSelector.matchExpressions[0].values).toEqual(['kube-system', 'kube-public', NS, 'legacy', 'batch']);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { loadInjectorConfig } = require('../../../src/config/injector') as typeof import('../../../src/config/injector');
  expect(loadInjectorConfig(envOf(d)).audit).toMatchObject({ file: '/var/log/secrets-broker/audit.jsonl', maxBytes: 52428800, keep: 3, checkpointEvery: 100 });
  expect(loadInjectorConfig(envOf(d)).sidecar).toMatchObject({ mode: 'classic', vaultCa: { kind: 'configMap', name: 'vault-ca', key: 'vault.pem' }, resources: { limits: { cpu: '200m' } } });
});

it.each([
  [null, ''],
  [1000700000, '1000700000'],
])('sidecar.runAsUser %s: SIDECAR_RUN_AS_USER %j, which the injector accepts', async (value, env) => {
  const d = one(await renderChart(deep(base, { sidecar: { runAsUser: value } })), 'Deployment');
  expect(envOf(d).SIDECAR_RUN_AS_USER).toBe(env);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { loadInjectorConfig } = require('../../../src/config/injector') as typeof import('../../../src/config/injector');
  expect(loadInjectorConfig(envOf(d)).sidecar.runAsUser).toBe(value ?? undefined);
});

it.each([
  ['Ignore', 'Ignore'],
  ['Fail', 'Fail'],
])('failurePolicy %s is passed through', async (value, expected) => {
  const objs = await renderChart(deep(base, { webhook: { failurePolicy: value, timeoutSeconds: 5 } }));
  expect(one(objs, 'MutatingWebhookConfiguration').webhooks[0]).toMatchObject({ failurePolicy: expected, timeoutSeconds: 5 });
});

it('a namespace opt-in label and an objectSelector narrow the webhook further', async () => {
  const objs = await renderChart(deep(base, { webhook: { namespaceSelector: { matchLabels: { 'secrets-broker.io/enabled': 'true' } }, objectSelector: { matchLabels: { tier: 'web' } } } }));
  const w = one(objs, 'MutatingWebhookConfiguration').webhooks[0];
  expect(w.namespaceSelector.matchLabels).toEqual({ 'secrets-broker.io/enabled': 'true' });
  expect(w.namespaceSelector.matchExpressions).toHaveLength(1);
  expect(w.objectSelector).toEqual({ matchLabels: { tier: 'web' } });
});

it('cert-manager: a self-signed CA chain and a serving Certificate; cainjector fills the caBundle', async () => {
  const objs = await renderChart(deep(base, { tls: { mode: 'certManager' } }));
  expect(objs.filter((o) => o.kind === 'Secret')).toEqual([]);
  const certs = objs.filter((o) => o.kind === 'Certificate');
  expect(certs.map((c) => c.metadata.name).sort()).toEqual(['sb-secrets-broker-ca', 'sb-secrets-broker-tls']);
  const serving = certs.find((c) => c.metadata.name === 'sb-secrets-broker-tls')!;
  expect(serving.spec.secretName).toBe('sb-secrets-broker-tls');
  expect(serving.spec.dnsNames).toContain(`sb-secrets-broker.${NS}.svc`);
  expect(serving.spec.issuerRef).toEqual({ name: 'sb-secrets-broker-ca', kind: 'Issuer' });
  expect(objs.filter((o) => o.kind === 'Issuer').map((i) => Object.keys(i.spec)[0]).sort()).toEqual(['ca', 'selfSigned']);
  const mwc = one(objs, 'MutatingWebhookConfiguration');
  expect(mwc.metadata.annotations?.['cert-manager.io/inject-ca-from']).toBe(`${NS}/sb-secrets-broker-tls`);
  expect(mwc.webhooks[0].clientConfig.caBundle).toBeUndefined();
  expect(one(objs, 'Deployment').spec.template.spec.volumes[0].secret.secretName).toBe('sb-secrets-broker-tls');
});

it("cert-manager with the operator's own issuer: only the serving Certificate", async () => {
  const objs = await renderChart(deep(base, { tls: { mode: 'certManager', certManager: { issuerRef: { name: 'corp-ca', kind: 'ClusterIssuer' } } } }));
  expect(objs.filter((o) => o.kind === 'Issuer')).toEqual([]);
  expect(one(objs, 'Certificate').spec.issuerRef).toEqual({ name: 'corp-ca', kind: 'ClusterIssuer' });
});

it('an existing TLS Secret with the CA given as webhook.caBundle', async () => {
  const objs = await renderChart(deep(base, { tls: { mode: 'secret', secretName: 'my-tls' }, webhook: { caBundle: PEM } }));
  expect(objs.filter((o) => o.kind === 'Secret' || o.kind === 'Certificate')).toEqual([]);
  expect(one(objs, 'Deployment').spec.template.spec.volumes[0].secret.secretName).toBe('my-tls');
  expect(one(objs, 'MutatingWebhookConfiguration').webhooks[0].clientConfig.caBundle).toBe(Buffer.from(PEM).toString('base64'));
});

it('webhook.url: an injector outside the cluster, with its CA', async () => {
  const objs = await renderChart(deep(base, { injector: { enabled: false }, webhook: { url: 'https://127.0.0.1:9443/mutate', caBundle: PEM } }));
  expect(kinds(objs)).toEqual(['MutatingWebhookConfiguration']);
  const cc = one(objs, 'MutatingWebhookConfiguration').webhooks[0].clientConfig;
  expect(cc).toEqual({ url: 'https://127.0.0.1:9443/mutate', caBundle: Buffer.from(PEM).toString('base64') });
});

it('literalSecretsAllPods: a second, non-mutating entry for every pod that does not opt in', async () => {
  const objs = await renderChart(deep(base, { webhook: { literalSecretsAllPods: { enabled: true } } }));
  const [inject, literal] = one(objs, 'MutatingWebhookConfiguration').webhooks;
  expect(literal).toMatchObject({ name: 'literal.secrets-broker.io', failurePolicy: 'Ignore', reinvocationPolicy: 'Never', sideEffects: 'None' });
  expect(literal.rules).toEqual(inject.rules);
  expect(literal.namespaceSelector).toEqual(inject.namespaceSelector);
  expect(literal.matchConditions[0].expression).toBe(`!(${inject.matchConditions[0].expression})`);
  expect(literal.clientConfig).toEqual(inject.clientConfig);
});

it('ValidatingAdmissionPolicy: opted-in pods must carry the operator sidecar image with its Vault address', async () => {
  const objs = await renderChart(deep(base, { validatingAdmissionPolicy: { enabled: true } }));
  const vap = one(objs, 'ValidatingAdmissionPolicy');
  const binding = one(objs, 'ValidatingAdmissionPolicyBinding');
  expect(binding.spec).toEqual({ policyName: vap.metadata.name, validationActions: ['Deny'] });
  expect(vap.spec.failurePolicy).toBe('Fail');
  expect(vap.spec.matchConstraints.resourceRules).toEqual([{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }]);
  expect(vap.spec.matchConstraints.namespaceSelector).toEqual(one(objs, 'MutatingWebhookConfiguration').webhooks[0].namespaceSelector);
  expect(vap.spec.matchConditions).toEqual(one(objs, 'MutatingWebhookConfiguration').webhooks[0].matchConditions);
  const expr = vap.spec.variables[0].expression as string;
  expect(expr).toContain(`c.image == 'secrets-broker:${chart.appVersion}'`);
  expect(expr).toContain(`e.?value.orValue('') == '${VAULT}'`);
  // The command the injector gives the sidecar: node, its flags, the image's CLI.
  expect(expr).toContain("c.command[0] == 'node'");
  expect(expr).toContain(`c.command[size(c.command) - 1] == '${IMAGE_CLI}'`);
});

it('injector.replicas 1 with the PDB and NetworkPolicy switched off', async () => {
  const objs = await renderChart(deep(base, { injector: { replicas: 1, pdb: { enabled: false }, affinity: null }, networkPolicy: { enabled: false } }));
  expect(kinds(objs)).toEqual(['Deployment', 'MutatingWebhookConfiguration', 'Secret', 'Service', 'ServiceAccount']);
  expect(one(objs, 'Deployment').spec.template.spec.affinity).toBeUndefined();
});

describe('refused values', () => {
  it.each<[string, object, RegExp]>([
    ['timeoutSeconds above 10', { webhook: { timeoutSeconds: 30 } }, /timeoutSeconds/],
    ['an unknown failurePolicy', { webhook: { failurePolicy: 'Sometimes' } }, /failurePolicy/],
    ['an unknown literal-secret policy', { injector: { literalSecrets: 'loud' } }, /literalSecrets/],
    ['zero replicas', { injector: { replicas: 0 } }, /replicas/],
    ['a token expiry the kubelet refuses', { sidecar: { tokenExpirySeconds: 60 } }, /tokenExpirySeconds/],
    ['a privileged injector', { injector: { securityContext: { privileged: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } } }, /privileged/],
    ['running as root allowed', { injector: { podSecurityContext: { runAsNonRoot: false } } }, /runAsNonRoot/],
    ['an unknown top-level key', { vaultAddr: 'https://x' }, /vaultAddr|additional/],
    ['a quote in the Vault address', { vault: { addr: "https://vault' || true" } }, /addr/],
    ['a bad image digest', { image: { digest: 'sha256:nothex' } }, /digest/],
    ['an invalid namespace to exclude', { injector: { excludeNamespaces: ['Not_A_Namespace'] } }, /excludeNamespaces/],
    ['an unknown TLS mode', { tls: { mode: 'selfmade' } }, /mode/],
    ['a plain-http webhook url', { webhook: { url: 'http://127.0.0.1:9443/mutate', caBundle: PEM } }, /url/],
  ])('schema: %s', async (_why, values, message) => {
    const r = await helm(['template', 'sb', CHART_DIR, '--namespace', NS], deep(base, values));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
  });

  it.each<[string, object, RegExp]>([
    ['no Vault address', { vault: { addr: '' } }, /vault\.addr is required/],
    ['two Vault CA sources', { vault: { caConfigMap: 'a', caSecret: 'b' } }, /set at most one/],
    ['webhook.url without its CA', { webhook: { url: 'https://127.0.0.1:9443/mutate' } }, /webhook\.caBundle/],
    ['an external injector without a url', { injector: { enabled: false } }, /needs webhook\.url/],
    ['tls.mode=secret without the Secret', { tls: { mode: 'secret' }, webhook: { caBundle: PEM } }, /tls\.secretName is required/],
  ])('chart: %s', async (_why, values, message) => {
    const r = await helm(['template', 'sb', CHART_DIR, '--namespace', NS], deep(base, values));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
  });
});

describe('helm lint --strict', () => {
  it.each<[string, object]>([
    ['defaults', base],
    ['cert-manager', deep(base, { tls: { mode: 'certManager' } })],
    ['everything optional on', deep(base, { validatingAdmissionPolicy: { enabled: true }, webhook: { literalSecretsAllPods: { enabled: true }, failurePolicy: 'Ignore' } })],
    ['external injector', deep(base, { injector: { enabled: false }, webhook: { url: 'https://127.0.0.1:9443/mutate', caBundle: PEM } })],
  ])('%s', async (_name, values) => {
    const r = await helm(['lint', '--strict', CHART_DIR, '--namespace', NS], values);
    expect(`${r.stdout}${r.stderr}`).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    expect(r.code).toBe(0);
  });
});
