import { applyPatch, deepClone } from 'fast-json-patch';
import { reviewPod } from '../../../src/inject/review';
import { planInjection } from '../../../src/inject/plan';
import { toPatch, escapePointer } from '../../../src/inject/patch';
import { carriesSpec } from '../../../src/inject/reserved';
import { gateScript } from '../../../src/inject/gate';
import type { Container, PatchOp, Pod, PodSpec } from '../../../src/inject/types';
import { basicPod, createReview, patched, structureProblems, testConfig } from '../../helpers/injector';
import type { PodSecretsSpec } from '../../../src/spec';
import { IMAGE_CLI, IMAGE_START_SNAPSHOT } from '../../../src/sidecar-env';

interface Injected {
  ops: PatchOp[];
  after: Pod;
  /** The containers the patch added, by list. */
  init: Container[];
  regular: Container[];
}

function inject(pod: Pod, env: Record<string, string> = {}): Injected {
  const result = reviewPod(createReview(pod), { config: testConfig(env) });
  const response = result.body.response as Record<string, unknown>;
  if (result.outcome !== 'inject') throw new Error(`expected inject, got ${result.outcome}: ${JSON.stringify(response.status)}`);
  const ops = JSON.parse(Buffer.from(String(response.patch), 'base64').toString('utf8')) as PatchOp[];
  const after = patched(pod, response);
  return { ops, after, init: (after.spec.initContainers ?? []).filter(carriesSpec), regular: after.spec.containers.filter(carriesSpec) };
}

const app = (over: Partial<Container> = {}): Container => ({ name: 'app', image: 'example/app:1', ...over });
const envValue = (c: Container | undefined, name: string): string | undefined => c?.env?.find((e) => e.name === name)?.value;
const opAt = (ops: PatchOp[], path: string): PatchOp | undefined => ops.find((op) => op.path === path);
const CA_DIR = '/var/run/secrets/secrets-broker-ca';

/** One row per case: the pod, the operator's settings, and what the case is about. */
const CASES: [string, Pod, Record<string, string>, (r: Injected, pod: Pod) => void][] = [
  ['native sidecar: one init container restarted always, gated by its postStart hook (no probe); no regular container added', basicPod(), {}, ({ init, regular, ops }) => {
    expect(init.map((c) => [c.name, c.args, c.restartPolicy, c.startupProbe])).toEqual([['secrets-broker', ['sidecar'], 'Always', undefined]]);
    expect(init[0]?.lifecycle).toEqual({ postStart: { exec: { command: ['/bin/bash', '-c', gateScript()] } } });
    expect(regular).toEqual([]);
    expect(opAt(ops, '/spec/initContainers')?.value).toHaveLength(1);
  }],
  ['classic mode: an init container with --once plus a sidecar container', basicPod(), { INJECTOR_SIDECAR_MODE: 'classic' }, ({ init, regular, after }) => {
    expect(init.map((c) => [c.name, c.args, c.restartPolicy])).toEqual([['secrets-broker-init', ['sidecar', '--once'], undefined]]);
    expect(regular.map((c) => [c.name, c.args, c.restartPolicy])).toEqual([['secrets-broker', ['sidecar'], undefined]]);
    // Regular containers start without waiting on each other: only the init container gates the app.
    expect([...init, ...regular].map((c) => c.lifecycle)).toEqual([undefined, undefined]);
    expect(after.spec.containers.map((c) => c.name)).toEqual(['app', 'secrets-broker']);
  }],
  ['init-only lifecycle: one init container with --once, nothing left running', basicPod({ 'secrets-broker.io/lifecycle': 'init-only' }), {}, ({ init, regular }) => {
    expect(init.map((c) => [c.name, c.args, c.restartPolicy, c.startupProbe, c.lifecycle])).toEqual([['secrets-broker', ['sidecar', '--once'], undefined, undefined, undefined]]);
    expect(regular).toEqual([]);
  }],
  ['init containers first: ours is inserted at index 0 of the user\'s initContainers', basicPod({}, { initContainers: [{ name: 'setup', image: 's:1' }] }), {}, ({ ops, after }) => {
    expect(opAt(ops, '/spec/initContainers/0')?.value).toMatchObject({ name: 'secrets-broker' });
    expect(after.spec.initContainers?.map((c) => c.name)).toEqual(['secrets-broker', 'setup']);
  }],
  // User volumes may not take our names (identity.test.ts); user containers may, ours get a suffix.
  ['name collision: ours are renamed secrets-broker-1 and secrets-broker-init-1, the user\'s containers untouched', basicPod({}, {
    containers: [app(), { name: 'secrets-broker', image: 'user/own:1' }],
    initContainers: [{ name: 'secrets-broker-init', image: 'user/init:1' }],
  }), { INJECTOR_SIDECAR_MODE: 'classic' }, ({ init, regular, after }, pod) => {
    expect([...init, ...regular].map((c) => c.name)).toEqual(['secrets-broker-init-1', 'secrets-broker-1']);
    const { volumeMounts, ...own } = after.spec.containers[1]!;
    expect(own).toEqual({ name: 'secrets-broker', image: 'user/own:1' });
    expect(volumeMounts).toEqual([{ name: 'secrets-broker-data', mountPath: '/secrets', readOnly: true }]);
    expect(after.spec.initContainers?.[1]).toEqual(pod.spec.initContainers?.[0]);
  }],
  ['pod fsGroup becomes the file group; the pod security context is left as it is', basicPod({}, { securityContext: { fsGroup: 2000, runAsUser: 1000 } }), {}, ({ init, ops, after }) => {
    expect(init[0]?.securityContext?.runAsGroup).toBe(2000);
    expect(ops.filter((op) => op.path.startsWith('/spec/securityContext'))).toEqual([]);
    expect(after.spec.securityContext).toEqual({ fsGroup: 2000, runAsUser: 1000 });
  }],
  ['shared runAsGroup becomes the file group; no supplemental group is added', basicPod({}, { containers: [app({ securityContext: { runAsGroup: 3000 } })] }), {}, ({ init, ops }) => {
    expect(init[0]?.securityContext?.runAsGroup).toBe(3000);
    expect(ops.filter((op) => op.path.startsWith('/spec/securityContext'))).toEqual([]);
  }],
  ['no group: the fallback is appended to the pod\'s supplementalGroups', basicPod({}, { securityContext: { runAsNonRoot: true, supplementalGroups: [4000] } }), {}, ({ init, ops, after }) => {
    expect(init[0]?.securityContext?.runAsGroup).toBe(65530);
    expect(ops.filter((op) => op.path.startsWith('/spec/securityContext'))).toEqual([{ op: 'add', path: '/spec/securityContext/supplementalGroups/-', value: 65530 }]);
    expect(after.spec.securityContext).toEqual({ runAsNonRoot: true, supplementalGroups: [4000, 65530] });
  }],
  ['signal notify shares the process namespace', basicPod({ 'secrets-broker.io/notify': 'signal:SIGHUP' }), {}, ({ ops }) => {
    expect(opAt(ops, '/spec/shareProcessNamespace')?.value).toBe(true);
  }],
  ['signal notify, the pod runs as 1000: the sidecar runs as 1000 too, so it may signal the app', basicPod({ 'secrets-broker.io/notify': 'signal:SIGHUP' }, { securityContext: { runAsUser: 1000 } }), {}, ({ init }) => {
    expect(init[0]?.securityContext?.runAsUser).toBe(1000);
  }],
  ['signal notify, the notified container runs as 1001 over the pod\'s 1000: the sidecar runs as 1001', basicPod({ 'secrets-broker.io/notify': 'signal:SIGHUP' }, { securityContext: { runAsUser: 1000 }, containers: [app({ securityContext: { runAsUser: 1001 } })] }), {}, ({ init }) => {
    expect(init[0]?.securityContext?.runAsUser).toBe(1001);
  }],
  ['no notify: the sidecar runs as the operator\'s SIDECAR_RUN_AS_USER whatever the pod\'s user', basicPod({}, { securityContext: { runAsUser: 1000 } }), {}, ({ init }) => {
    expect(init[0]?.securityContext?.runAsUser).toBe(65530);
  }],
  ['SIDECAR_RUN_AS_USER empty: no runAsUser on the sidecar, the platform assigns it; runAsNonRoot stays', basicPod(), { SIDECAR_RUN_AS_USER: '' }, ({ init }) => {
    expect(init[0]?.securityContext).toMatchObject({ runAsNonRoot: true, runAsGroup: 65530 });
    expect(init[0]?.securityContext).not.toHaveProperty('runAsUser');
  }],
  ['no notify: the process namespace is not shared', basicPod(), {}, ({ ops }) => {
    expect(opAt(ops, '/spec/shareProcessNamespace')).toBeUndefined();
  }],
  ['Vault CA from a ConfigMap: a volume, a read-only mount in the sidecar only, and the CA file named to the sidecar', basicPod(), { INJECTOR_VAULT_CA_CONFIGMAP: 'vault-ca' }, ({ init, after }) => {
    expect(after.spec.volumes?.find((v) => v.name === 'secrets-broker-vault-ca')).toEqual({
      name: 'secrets-broker-vault-ca', configMap: { name: 'vault-ca', items: [{ key: 'ca.crt', path: 'ca.crt' }] },
    });
    expect(init[0]?.volumeMounts).toContainEqual({ name: 'secrets-broker-vault-ca', mountPath: CA_DIR, readOnly: true });
    expect(after.spec.containers[0]?.volumeMounts?.map((m) => m.name)).toEqual(['secrets-broker-data']);
    expect(envValue(init[0], 'VAULT_CACERT')).toBe(`${CA_DIR}/ca.crt`);
  }],
  ['no Vault CA: no CA volume, mount or variable', basicPod(), {}, ({ init, after }) => {
    expect(after.spec.volumes?.map((v) => v.name)).toEqual(['secrets-broker-data', 'secrets-broker-token']);
    expect(init[0]?.volumeMounts?.map((m) => m.name)).toEqual(['secrets-broker-data', 'secrets-broker-token']);
    expect(envValue(init[0], 'VAULT_CACERT')).toBeUndefined();
  }],
  ['health port taken by the app: the sidecar takes the next free one', basicPod({}, { containers: [app({ ports: [{ containerPort: 8099 }, { containerPort: 8100 }] })] }), {}, ({ init }) => {
    expect(envValue(init[0], 'SIDECAR_HEALTH_PORT')).toBe('8101');
  }],
  ['mount into a user init container: its mount is added by index before ours shift it', basicPod({ 'secrets-broker.io/containers': 'migrate' }, {
    initContainers: [{ name: 'migrate', image: 'm:1', volumeMounts: [{ name: 'x', mountPath: '/x' }] }],
    volumes: [{ name: 'x', emptyDir: {} }],
  }), {}, ({ ops, after }) => {
    const paths = ops.map((op) => op.path);
    expect(paths.indexOf('/spec/initContainers/0/volumeMounts/-')).toBeLessThan(paths.indexOf('/spec/initContainers/0'));
    expect(after.spec.initContainers?.map((c) => c.name)).toEqual(['secrets-broker', 'migrate']);
    expect(after.spec.initContainers?.[1]?.volumeMounts).toEqual([{ name: 'x', mountPath: '/x' }, { name: 'secrets-broker-data', mountPath: '/secrets', readOnly: true }]);
    expect(after.spec.containers[0]?.volumeMounts).toBeUndefined();
  }],
];

describe('patches from annotations', () => {
  it.each(CASES)('%s', (_label, pod, env, check) => {
    const injected = inject(pod, env);
    expect(structureProblems(pod, injected.after)).toEqual([]);
    check(injected, pod);
  });

  // The one golden output: the whole patch for the smallest opted-in pod, to read the injector's work in one place.
  it('golden: the whole patch for a bare pod', () => {
    expect(inject(basicPod()).ops).toMatchSnapshot();
  });
});

describe('file access', () => {
  it.each<[string, Partial<PodSpec>, number, number[] | undefined]>([
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
    expect(after.spec.securityContext?.runAsUser).toBe(spec.securityContext?.runAsUser);
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

describe('the start-up snapshot in the sidecar command', () => {
  it.each<[string, string | undefined, Record<string, string>, string[]]>([
    ['none', undefined, {}, ['node', IMAGE_CLI]],
    ['the image\'s', IMAGE_START_SNAPSHOT, {}, ['node', '--snapshot-blob', IMAGE_START_SNAPSHOT, IMAGE_CLI]],
    ['the image\'s, with an operator CA', IMAGE_START_SNAPSHOT, { INJECTOR_VAULT_CA_CONFIGMAP: 'vault-ca' }, ['node', '--snapshot-blob', IMAGE_START_SNAPSHOT, '--use-openssl-ca', IMAGE_CLI]],
  ])('%s', (_what, startSnapshot, env, command) => {
    const config = testConfig(env);
    const result = reviewPod(createReview(basicPod({}, { containers: [app()] })), { config: { ...config, sidecar: { ...config.sidecar, startSnapshot } } });
    const sidecar = patched(basicPod({}, { containers: [app()] }), result.body.response as Record<string, unknown>).spec.initContainers?.[0];
    expect(sidecar?.command).toEqual(command);
    expect(sidecar?.args).toEqual(['sidecar']);
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

describe('signal notify without one known user for the app', () => {
  it.each([
    ['no runAsUser anywhere', basicPod({ 'secrets-broker.io/notify': 'signal:SIGHUP' })],
    ['two containers of different users', basicPod({ 'secrets-broker.io/notify': 'signal:SIGHUP' }, { containers: [app({ securityContext: { runAsUser: 1 } }), { name: 'b', image: 'b:1', securityContext: { runAsUser: 2 } }] })],
    ['root', basicPod({ 'secrets-broker.io/notify': 'signal:SIGHUP' }, { securityContext: { runAsUser: 0 } })],
  ])('%s: admitted with a warning naming the fix; the sidecar keeps the operator user', (_what, pod) => {
    const result = reviewPod(createReview(pod), { config: testConfig() });
    expect(result.outcome).toBe('inject');
    const response = result.body.response as { warnings?: string[] };
    expect(response.warnings).toEqual([expect.stringMatching(/^secrets-broker\.io\/notify: the signal will not reach .*Set securityContext\.runAsUser/)]);
    expect(patched(pod, result.body.response as Record<string, unknown>).spec.initContainers?.[0]?.securityContext?.runAsUser).toBe(65530);
  });
});
