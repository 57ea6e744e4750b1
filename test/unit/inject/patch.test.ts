import { applyPatch, deepClone } from 'fast-json-patch';
import { reviewPod } from '../../../src/inject/review';
import { planInjection } from '../../../src/inject/plan';
import { toPatch, escapePointer } from '../../../src/inject/patch';
import type { Pod } from '../../../src/inject/types';
import { basicPod, createReview, patched, structureProblems, testConfig } from '../../helpers/injector';
import type { PodSecretsSpec } from '../../../src/spec';

function inject(pod: Pod, env: Record<string, string> = {}) {
  const result = reviewPod(createReview(pod), { config: testConfig(env) });
  const response = result.body.response as Record<string, unknown>;
  if (result.outcome !== 'inject') throw new Error(`expected inject, got ${result.outcome}: ${JSON.stringify(response.status)}`);
  const ops = JSON.parse(Buffer.from(String(response.patch), 'base64').toString('utf8'));
  return { ops, after: patched(pod, response) };
}

const app = (over: Record<string, unknown> = {}) => ({ name: 'app', image: 'example/app:1', ...over });

describe('patches from annotations (snapshots)', () => {
  it.each<[string, Pod, Record<string, string>?]>([
    ['native sidecar, bare pod', basicPod()],
    ['classic mode', basicPod(), { INJECTOR_SIDECAR_MODE: 'classic' }],
    ['init-only lifecycle', basicPod({ 'secrets-broker.io/lifecycle': 'init-only' })],
    // User volumes may not take our names (identity.test.ts); user containers may, ours get a suffix.
    ['name collisions with user containers', basicPod({}, {
      containers: [app(), { name: 'secrets-broker', image: 'user/own:1' }],
      initContainers: [{ name: 'secrets-broker-init', image: 'user/init:1' }],
    }), { INJECTOR_SIDECAR_MODE: 'classic' }],
    ['pod fsGroup becomes the file group', basicPod({}, { securityContext: { fsGroup: 2000, runAsUser: 1000 } })],
    ['shared runAsGroup becomes the file group', basicPod({}, { containers: [app({ securityContext: { runAsGroup: 3000 } })] })],
    ['no group: fallback added to supplementalGroups', basicPod({}, { securityContext: { runAsNonRoot: true, supplementalGroups: [4000] } })],
    ['signal notify shares the process namespace', basicPod({ 'secrets-broker.io/notify': 'signal:SIGHUP' })],
    ['Vault CA from a ConfigMap', basicPod(), { INJECTOR_VAULT_CA_CONFIGMAP: 'vault-ca' }],
    ['health port taken by the app', basicPod({}, { containers: [app({ ports: [{ containerPort: 8099 }, { containerPort: 8100 }] })] })],
    ['mount into a user init container', basicPod({ 'secrets-broker.io/containers': 'migrate' }, {
      initContainers: [{ name: 'migrate', image: 'm:1', volumeMounts: [{ name: 'x', mountPath: '/x' }] }],
      volumes: [{ name: 'x', emptyDir: {} }],
    })],
  ])('%s', (_label, pod, env = {}) => {
    const { ops, after } = inject(pod, env);
    expect(structureProblems(pod, after)).toEqual([]);
    expect(ops).toMatchSnapshot();
  });
});

describe('file access', () => {
  it.each([
    ['fsGroup', { securityContext: { fsGroup: 2000 } }, 2000, undefined],
    ['shared runAsGroup', { securityContext: { runAsGroup: 3000 } }, 3000, undefined],
    ['runAsGroup 0 is never used', { securityContext: { runAsGroup: 0 } }, 65530, [65530]],
    ['different groups per container', { containers: [app({ securityContext: { runAsGroup: 1 } }), { name: 'b', image: 'b', securityContext: { runAsGroup: 2 } }] }, 65530, [65530]],
    ['fallback already present', { securityContext: { supplementalGroups: [65530] } }, 65530, [65530]],
  ])('%s', (_label, spec, gid, supplemental) => {
    const { after } = inject(basicPod({}, spec));
    const sidecar = after.spec.initContainers?.[0];
    expect(sidecar?.securityContext).toMatchObject({ runAsUser: 65530, runAsGroup: gid, runAsNonRoot: true });
    expect(after.spec.securityContext?.supplementalGroups).toEqual(supplemental);
    // The app's own identity is never changed.
    expect(after.spec.securityContext?.runAsUser).toBe((spec as { securityContext?: { runAsUser?: number } }).securityContext?.runAsUser);
  });

  it('mounts read-only, in the selected containers only; the token only in the sidecar', () => {
    const pod = basicPod({ 'secrets-broker.io/containers': 'app' }, { containers: [app(), { name: 'metrics', image: 'm:1' }] });
    const { after } = inject(pod);
    const [sidecar] = after.spec.initContainers ?? [];
    expect(after.spec.containers[0]?.volumeMounts).toEqual([{ name: 'secrets-broker-data', mountPath: '/secrets', readOnly: true }]);
    expect(after.spec.containers[1]?.volumeMounts).toBeUndefined();
    expect(sidecar?.volumeMounts?.map((m) => m.name)).toEqual(['secrets-broker-data', 'secrets-broker-token']);
    expect(after.spec.volumes?.[1]).toEqual({
      name: 'secrets-broker-token',
      projected: { sources: [{ serviceAccountToken: { audience: 'vault', expirationSeconds: 600, path: 'token' } }] },
    });
    expect(after.spec.volumes?.[0]).toEqual({ name: 'secrets-broker-data', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } });
  });
});

describe('operator settings reach the sidecar', () => {
  it.each<{ env: Record<string, string>; expected: string | undefined }>([
    { env: {}, expected: undefined },
    { env: { SIDECAR_AUDIT_HASH_DEVICE: 'file' }, expected: 'file' },
  ])('SIDECAR_AUDIT_HASH_DEVICE $env', ({ env, expected }) => {
    const { after } = inject(basicPod({}, { containers: [app()] }), env);
    const sidecarEnv = after.spec.initContainers?.[0]?.env ?? [];
    expect(sidecarEnv.find((e) => e.name === 'SIDECAR_AUDIT_HASH_DEVICE')?.value).toBe(expected);
  });
});

describe('patch mechanics', () => {
  const spec: PodSecretsSpec = {
    version: 1, role: 'r', mountPath: '/secrets', lifecycle: 'sidecar', rotateIntervalSeconds: 300, notify: { kind: 'none' },
    secrets: [{ name: 'db', path: 'secret/db', file: 'db', format: 'json', mode: 0o440 }],
  };

  it.each([
    ['no metadata at all', { spec: { containers: [{ name: 'a' }] } }],
    ['no annotations', { metadata: { name: 'x' }, spec: { containers: [{ name: 'a' }] } }],
    ['annotations, initContainers and volumes present', { metadata: { annotations: { a: 'b' } }, spec: { containers: [{ name: 'a' }], initContainers: [{ name: 'i' }], volumes: [{ name: 'v' }] } }],
  ])('applies to a pod with %s', (_label, pod) => {
    const planned = planInjection(pod, spec, ['a'], testConfig().sidecar);
    if (!planned.ok) throw new Error('plan failed');
    const after = applyPatch(deepClone(pod), toPatch(pod, planned.plan, testConfig().sidecar), true, false).newDocument as Pod;
    expect(after.metadata?.annotations?.['secrets-broker.io/status']).toBe('injected');
    expect(after.spec.initContainers?.[0]?.name).toBe('secrets-broker');
  });

  it('escapes JSON Pointer segments', () => {
    expect(escapePointer('secrets-broker.io/status')).toBe('secrets-broker.io~1status');
    expect(escapePointer('a~b/c')).toBe('a~0b~1c');
  });

  it('denies a mount path the container already uses', () => {
    const pod = basicPod({}, { containers: [app({ volumeMounts: [{ name: 'v', mountPath: '/secrets' }] })], volumes: [{ name: 'v', emptyDir: {} }] });
    const result = reviewPod(createReview(pod), { config: testConfig() });
    expect(result.outcome).toBe('deny');
    expect(JSON.stringify(result.body)).toContain('container \\"app\\" already mounts something at that path');
  });
});
