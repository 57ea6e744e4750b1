/**
 * The size limits on a pod the injector would patch (src/inject/limits.ts): each at its
 * boundary, every problem in one message, pods we never touch left alone, and the
 * costliest pods the limits still admit answered with bounded patches.
 */
import { reviewPod } from '../../../src/inject/review';
import { MAX_ANNOTATION_BYTES, MAX_PATCH_BYTES, MAX_SECRETS_PER_POD, patchLimitProblem } from '../../../src/inject/limits';
import type { AdmissionReview, Pod } from '../../../src/inject/types';
import { basicPod, createReview, fakeDetect, patched, testConfig } from '../../helpers/injector';
import { annotationBytes as kubernetesAnnotationBytes, mostContainersWithinPatchLimit, mostSecretsPod } from '../../helpers/worst-bodies';
import { plant } from '../../helpers/fake-secrets';

const config = testConfig();
const review = (r: AdmissionReview, cfg = config) => reviewPod(r, { config: cfg, detect: fakeDetect });
const response = (r: ReturnType<typeof review>) => r.body.response as Record<string, any>;
const message = (r: ReturnType<typeof review>): string => String(response(r).status?.message ?? '');
const patchBytes = (r: ReturnType<typeof review>): number => Buffer.from(String(response(r).patch), 'base64').length;

/** basicPod's annotations plus one padding annotation, its value of `char` sized so the pod totals `bytes`. */
function podOfAnnotationBytes(bytes: number, char = 'x', extra: Record<string, string> = {}): Pod {
  const without = basicPod({ ...extra, 'example.com/pad': '' }).metadata!.annotations!;
  const room = bytes - kubernetesAnnotationBytes(without);
  const width = Buffer.byteLength(char);
  const pad = char.repeat(Math.floor(room / width)) + 'x'.repeat(room % width);
  return basicPod({ ...extra, 'example.com/pad': pad });
}

function secrets(n: number, template?: string): Record<string, string> {
  const a: Record<string, string> = {};
  for (let i = 0; i < n; i++) {
    a[`secrets-broker.io/secret-s${i}`] = `secret/data/app/s${i}`;
    if (template !== undefined) a[`secrets-broker.io/template-s${i}`] = template;
  }
  return a;
}

const containers = (n: number): Pod['spec']['containers'] => Array.from({ length: n }, (_, i) => ({ name: `c${i}`, image: 'example/app:1' }));

describe('annotations past what Kubernetes accepts (MAX_ANNOTATION_BYTES, T120)', () => {
  it.each([
    ['ASCII, at the limit', 'inject', podOfAnnotationBytes(MAX_ANNOTATION_BYTES)],
    ['ASCII, one byte over', 'deny', podOfAnnotationBytes(MAX_ANNOTATION_BYTES + 1)],
    ['two-byte characters, one byte over (fewer characters than the limit)', 'deny', podOfAnnotationBytes(MAX_ANNOTATION_BYTES + 1, 'é')],
    ['a preset status value is replaced by the patch, so it is not counted', 'inject', podOfAnnotationBytes(MAX_ANNOTATION_BYTES, 'x', { 'secrets-broker.io/status': 'x'.repeat(1000) })],
  ])('%s: %s', (_label, outcome, pod) => {
    expect(kubernetesAnnotationBytes(pod.metadata!.annotations!) - MAX_ANNOTATION_BYTES).toBeLessThanOrEqual(1);
    const r = review(createReview(pod));
    expect(r.outcome).toBe(outcome);
    if (outcome === 'inject') expect(patched(pod, response(r)).metadata?.annotations?.['secrets-broker.io/status']).toBe('injected');
    else {
      expect(r.reason).toBe('too-large');
      expect(message(r)).toBe(`secrets-broker: annotations total ${MAX_ANNOTATION_BYTES + 1} bytes with the injector's status annotation, more than the ${MAX_ANNOTATION_BYTES} Kubernetes accepts`);
    }
  });

  it('is checked before any annotation is parsed: an unknown annotation in such a pod is not reported', () => {
    const r = review(createReview(podOfAnnotationBytes(MAX_ANNOTATION_BYTES + 1, 'x', { 'secrets-broker.io/image': 'evil:1' })));
    expect(r.outcome).toBe('deny');
    expect(message(r)).toMatch(/annotations total \d+ bytes/);
    expect(message(r)).not.toMatch(/operator setting|unknown annotation/);
  });

  it.each([
    ['no opt-in', undefined, 'shop', 'no-opt-in'],
    ['inject: "false"', 'false', 'shop', 'no-opt-in'],
    ['opted in, in kube-system', 'true', 'kube-system', 'system-namespace'],
  ])('a pod we never patch is allowed unpatched: %s', (_label, inject, namespace, reason) => {
    const pod = podOfAnnotationBytes(MAX_ANNOTATION_BYTES * 2);
    if (inject === undefined) delete pod.metadata!.annotations!['secrets-broker.io/inject'];
    else pod.metadata!.annotations!['secrets-broker.io/inject'] = inject;
    const r = review(createReview(pod, namespace));
    expect(r).toMatchObject({ outcome: 'skip', reason });
    expect(response(r).allowed).toBe(true);
    expect(response(r).patch).toBeUndefined();
  });
});

describe('more secrets than one pod may ask for (MAX_SECRETS_PER_POD, T121)', () => {
  it.each([
    ['at the limit', MAX_SECRETS_PER_POD, 'inject'],
    ['one over', MAX_SECRETS_PER_POD + 1, 'deny'],
  ])('%s (%d secrets): %s', (_label, n, outcome) => {
    // basicPod asks for `db`; the others make up n.
    const r = review(createReview(basicPod(secrets(n - 1))));
    expect(r.outcome).toBe(outcome);
    if (outcome === 'inject') expect(r.audit?.detail?.paths).toHaveLength(MAX_SECRETS_PER_POD);
    else expect(message(r)).toBe(`secrets-broker: secrets-broker.io/secret-<name>: ${n} secrets, more than the ${MAX_SECRETS_PER_POD} one pod may ask for`);
  });
});

describe('a patch past what the apiserver can store (MAX_PATCH_BYTES, T122)', () => {
  it.each([
    [MAX_PATCH_BYTES, 'exactly', undefined],
    [MAX_PATCH_BYTES + 1, 'exactly', `the patch would be ${MAX_PATCH_BYTES + 1} bytes, more than the ${MAX_PATCH_BYTES} the apiserver can store (etcd's request limit); the pod has too many containers or secrets`],
    [MAX_PATCH_BYTES, 'at least', undefined],
    [MAX_PATCH_BYTES + 1, 'at least', `the patch would be at least ${MAX_PATCH_BYTES + 1} bytes, more than the ${MAX_PATCH_BYTES} the apiserver can store (etcd's request limit); the pod has too many containers or secrets`],
  ] as const)('patchLimitProblem(%d, %s)', (bytes, bound, problem) => {
    expect(patchLimitProblem(bytes, bound)).toBe(problem);
  });

  it('a pod whose patch is exactly the limit is injected; one byte more is denied naming the size', () => {
    const n = mostContainersWithinPatchLimit();
    const within = review(createReview(basicPod({}, { containers: containers(n) })));
    // The secret's path goes into the patch once (in the sidecar's spec): lengthen it to the limit, then past it.
    const padded = (extra: number) => review(createReview(basicPod({ 'secrets-broker.io/secret-db': `secret/data/app/db${'x'.repeat(extra)}` }, { containers: containers(n) })));
    const gap = MAX_PATCH_BYTES - patchBytes(within);
    const atLimit = padded(gap);
    expect(atLimit.outcome).toBe('inject');
    expect(patchBytes(atLimit)).toBe(MAX_PATCH_BYTES);
    const over = padded(gap + 1);
    expect(over).toMatchObject({ outcome: 'deny', reason: 'too-large' });
    expect(message(over)).toContain(`the patch would be ${MAX_PATCH_BYTES + 1} bytes`);
    expect(JSON.stringify(over.body).length).toBeLessThan(2048);
  });
});

describe('a patch past the limit on its mounts alone is never built (T122)', () => {
  it('23,000 containers: denied on the lower bound (one mount each), before the patch exists', () => {
    const mountBytes = JSON.stringify({ name: 'secrets-broker-data', mountPath: '/secrets', readOnly: true }).length;
    const r = review(createReview(basicPod({}, { containers: containers(23000) })));
    expect(r).toMatchObject({ outcome: 'deny', reason: 'too-large' });
    expect(message(r)).toContain(`the patch would be at least ${23000 * mountBytes} bytes, more than the ${MAX_PATCH_BYTES}`);
    expect(JSON.stringify(r.body).length).toBeLessThan(2048);
  });
});

describe('every problem in one message', () => {
  it('a literal secret, too many annotation bytes and too many secrets, all named', () => {
    const pod = basicPod(secrets(MAX_SECRETS_PER_POD + 10, 'x'.repeat(1100)), { containers: [{ name: 'app', image: 'example/app:1', env: [{ name: 'AWS_KEY', value: plant('aws-access-key-id', 11).secret }] }] });
    const r = review(createReview(pod), testConfig({ INJECTOR_LITERAL_SECRETS: 'deny' }));
    expect(r.outcome).toBe('deny');
    const text = message(r);
    expect(text).toMatch(/AWS access key ID/);
    expect(text).toMatch(/annotations total \d+ bytes with the injector's status annotation, more than the 262144/);
    expect(text).toContain(`${MAX_SECRETS_PER_POD + 11} secrets, more than the ${MAX_SECRETS_PER_POD}`);
    expect(r.audit?.detail?.problems).toHaveLength(2);
  });
});

describe('the costliest pods the limits admit: bounded work', () => {
  // As many secrets as allowed, with templates filling the annotation limit: every secret is parsed and encoded.
  it.each([
    ['templates of plain text', '{{ .x }}'],
    ['templates of quotes (each grows twice in the spec, twice again in the patch)', '"'],
  ])(`${MAX_SECRETS_PER_POD} secrets with %s up to the annotation limit`, (_label, unit) => {
    const pod = mostSecretsPod(unit);
    expect(kubernetesAnnotationBytes(pod.metadata!.annotations!)).toBeGreaterThan(MAX_ANNOTATION_BYTES - MAX_SECRETS_PER_POD * unit.length);
    expect(kubernetesAnnotationBytes(pod.metadata!.annotations!)).toBeLessThanOrEqual(MAX_ANNOTATION_BYTES);
    const r = review(createReview(pod));
    expect(r.outcome).toBe('inject');
    expect(r.audit?.detail?.paths).toHaveLength(MAX_SECRETS_PER_POD);
    expect(patchBytes(r)).toBeLessThanOrEqual(MAX_PATCH_BYTES);
  });

  it('the response is never larger than the patch limit in base64 and its envelope', () => {
    const r = review(createReview(basicPod({}, { containers: containers(mostContainersWithinPatchLimit()) })));
    expect(r.outcome).toBe('inject');
    expect(JSON.stringify(r.body).length).toBeLessThanOrEqual(Math.ceil(MAX_PATCH_BYTES / 3) * 4 + 1024);
  });
});
