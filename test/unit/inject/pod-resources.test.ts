/**
 * Per-pod sidecar resources: the cpu-request, memory-request, cpu-limit and memory-limit
 * annotations size the sidecar within the operator's SIDECAR_MAX_* bounds; anything else
 * is denied naming the annotation and the bound, and a reinvoked pod stays ours.
 */
import { reviewPod } from '../../../src/inject/review';
import type { AdmissionReview, Container, Pod } from '../../../src/inject/types';
import { basicPod, createReview, fakeDetect, patched, testConfig } from '../../helpers/injector';

const config = testConfig();
const review = (r: AdmissionReview, cfg = config) => reviewPod(r, { config: cfg, detect: fakeDetect });
const response = (r: ReturnType<typeof review>) => r.body.response as Record<string, any>;
const message = (r: ReturnType<typeof review>): string => String(response(r).status?.message ?? '');
const sidecarOf = (pod: Pod): Container => pod.spec.initContainers![0]!;
const P = 'secrets-broker.io/';

function injected(annotations: Record<string, string>, cfg = config): Pod {
  const pod = basicPod(annotations);
  const r = review(createReview(pod), cfg);
  if (r.outcome !== 'inject') throw new Error(`expected inject, got ${r.outcome}: ${message(r)}`);
  return patched(pod, response(r));
}

describe('per-pod sidecar resources: accepted within the bounds', () => {
  it.each<[string, Record<string, string>, Container['resources']]>([
    ['nothing asked: the operator\'s defaults', {}, { requests: { cpu: '25m', memory: '48Mi' }, limits: { memory: '128Mi' } }],
    ['every field', { 'cpu-request': '100m', 'memory-request': '64Mi', 'cpu-limit': '500m', 'memory-limit': '256Mi' }, { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } }],
    ['one field, the rest stay the operator\'s', { 'memory-limit': '200Mi' }, { requests: { cpu: '25m', memory: '48Mi' }, limits: { memory: '200Mi' } }],
    ['exactly the bounds', { 'cpu-request': '500m', 'memory-request': '256Mi', 'cpu-limit': '1', 'memory-limit': '512Mi' }, { requests: { cpu: '500m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } }],
    ['decimal spellings', { 'cpu-request': '0.25', 'cpu-limit': '0.5', 'memory-limit': '0.5Gi' }, { requests: { cpu: '0.25', memory: '48Mi' }, limits: { cpu: '0.5', memory: '0.5Gi' } }],
  ])('%s', (_label, ask, expected) => {
    const annotations = Object.fromEntries(Object.entries(ask).map(([k, v]) => [`${P}${k}`, v]));
    expect(sidecarOf(injected(annotations)).resources).toEqual(expected);
  });

  it('in classic mode, both the init container and the sidecar get them', () => {
    const pod = injected({ [`${P}cpu-request`]: '200m' }, testConfig({ INJECTOR_SIDECAR_MODE: 'classic' }));
    expect([pod.spec.initContainers![0]!.resources?.requests?.cpu, pod.spec.containers[1]!.resources?.requests?.cpu]).toEqual(['200m', '200m']);
  });

  it('the operator\'s bounds are settings', () => {
    const cfg = testConfig({ SIDECAR_MAX_MEMORY_LIMIT: '2Gi' });
    expect(sidecarOf(injected({ [`${P}memory-limit`]: '1Gi' }, cfg)).resources?.limits?.memory).toBe('1Gi');
  });
});

describe('per-pod sidecar resources: denied, naming the annotation and the bound', () => {
  it.each<[string, Record<string, string>, string, Record<string, string>?]>([
    ['cpu request over its bound', { 'cpu-request': '501m' }, `${P}cpu-request: must be at most 500m (the operator's SIDECAR_MAX_CPU_REQUEST)`],
    ['memory request over its bound', { 'memory-request': '257Mi', 'memory-limit': '512Mi' }, `${P}memory-request: must be at most 256Mi (the operator's SIDECAR_MAX_MEMORY_REQUEST)`],
    ['cpu limit over its bound', { 'cpu-limit': '1001m' }, `${P}cpu-limit: must be at most 1 (the operator's SIDECAR_MAX_CPU_LIMIT)`],
    ['memory limit over its bound', { 'memory-limit': '1Gi' }, `${P}memory-limit: must be at most 512Mi (the operator's SIDECAR_MAX_MEMORY_LIMIT)`],
    ['a bound the operator lowered', { 'cpu-request': '100m' }, `${P}cpu-request: must be at most 50m (the operator's SIDECAR_MAX_CPU_REQUEST)`, { SIDECAR_MAX_CPU_REQUEST: '50m' }],
    ['request above the pod\'s own limit', { 'cpu-request': '400m', 'cpu-limit': '300m' }, `${P}cpu-request: must be at most ${P}cpu-limit`],
    ['request above the operator\'s limit', { 'memory-request': '200Mi' }, `${P}memory-request: must be at most the memory limit 128Mi (the operator's SIDECAR_MEMORY_LIMIT)`],
    ['limit below the operator\'s request', { 'memory-limit': '32Mi' }, `${P}memory-limit: must be at least the memory request 48Mi (the operator's SIDECAR_MEMORY_REQUEST)`],
  ])('%s', (_label, ask, expected, env = {}) => {
    const annotations = Object.fromEntries(Object.entries(ask).map(([k, v]) => [`${P}${k}`, v]));
    const r = review(createReview(basicPod(annotations)), testConfig(env));
    expect(r).toMatchObject({ outcome: 'deny', reason: 'invalid-annotations' });
    expect(message(r)).toContain(expected);
  });

  it.each([
    ['word', 'lots'], ['negative', '-100m'], ['zero', '0'], ['empty', ''], ['exponent', '1e3'], ['four decimals', '0.0001'],
    ['decimal milli', '0.5m'], ['unknown suffix', '1Zi'], ['space', '100 m'], ['very long', '9'.repeat(40)], ['control character', '1\u0000'],
  ])('malformed (%s): named, never echoed', (_label, value) => {
    const r = review(createReview(basicPod({ [`${P}cpu-limit`]: value })));
    expect(r).toMatchObject({ outcome: 'deny', reason: 'invalid-annotations' });
    expect(message(r)).toContain(`${P}cpu-limit: must be a positive Kubernetes quantity`);
    if (value.length > 1) expect(message(r)).not.toContain(value);
  });

  it('every problem at once, beside the other annotations\' problems', () => {
    const r = review(createReview(basicPod({ [`${P}cpu-request`]: '2', [`${P}memory-limit`]: 'x', [`${P}mode-db`]: '0777' })));
    expect(message(r)).toMatch(/cpu-request: must be at most 500m.*memory-limit: must be a positive/s);
    expect(message(r)).toContain(`${P}mode-db`);
  });
});

describe('per-pod sidecar resources: reinvocation', () => {
  const ask = { [`${P}cpu-request`]: '0.25', [`${P}memory-request`]: '64Mi', [`${P}cpu-limit`]: '500m', [`${P}memory-limit`]: '0.25Gi' };

  it('a pod injected with per-pod resources, stored canonically by the apiserver, is already injected', () => {
    const after = injected(ask);
    const sidecar = sidecarOf(after);
    sidecar.terminationMessagePath = '/dev/termination-log';
    for (const e of sidecar.env ?? []) if (e.valueFrom?.fieldRef) e.valueFrom.fieldRef.apiVersion = 'v1';
    sidecar.resources = { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } };
    for (const v of after.spec.volumes ?? []) if (v.projected) v.projected.defaultMode = 420;
    expect(review(createReview(after))).toMatchObject({ outcome: 'skip', reason: 'already-injected' });
  });

  it.each<[string, (pod: Pod) => void]>([
    ['the sidecar\'s resources were changed', (pod) => { sidecarOf(pod).resources!.limits!.memory = '512Mi'; }],
    ['the annotations now ask for other resources', (pod) => { pod.metadata!.annotations![`${P}cpu-limit`] = '600m'; }],
    ['the annotations were removed: the operator\'s defaults are not what it carries', (pod) => { for (const k of Object.keys(ask)) delete pod.metadata!.annotations![k]; }],
  ])('not ours when %s', (_label, change) => {
    const after = injected(ask);
    change(after);
    const r = review(createReview(after));
    expect(r).toMatchObject({ outcome: 'deny', reason: 'impostor' });
    expect(message(r)).toContain('differs in resources');
  });
});
