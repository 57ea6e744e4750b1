import { randomBytes } from 'node:crypto';
import { parseReview, ReviewError, reviewPod } from '../../../src/inject/review';
import type { AdmissionReview, Pod } from '../../../src/inject/types';
import { plant } from '../../helpers/fake-secrets';
import { basicPod, createReview, fakeDetect, fixture, patched, testConfig } from '../../helpers/injector';

const config = testConfig({ INJECTOR_NAMESPACE: 'secrets-broker', INJECTOR_EXCLUDE_NAMESPACES: 'legacy,batch' });
const review = (r: AdmissionReview, detect = fakeDetect, cfg = config) => reviewPod(r, { config: cfg, detect });
const response = (r: ReturnType<typeof review>) => r.body.response as Record<string, any>;

describe('parseReview (T2)', () => {
  it.each([
    ['not an object', [1, 2]],
    ['not an AdmissionReview', { kind: 'Pod', apiVersion: 'v1' }],
    ['unknown version', { kind: 'AdmissionReview', apiVersion: 'admission.k8s.io/v2' }],
    ['no request', { kind: 'AdmissionReview', apiVersion: 'admission.k8s.io/v1' }],
    ['no uid', { kind: 'AdmissionReview', apiVersion: 'admission.k8s.io/v1', request: { namespace: 'x' } }],
  ])('%s is a ReviewError', (_label, body) => {
    expect(() => parseReview(body)).toThrow(ReviewError);
  });

  it.each(['pod-create-small', 'pod-create-v1beta1'])('answers %s in its own API version with its uid', (name) => {
    const r = fixture(name);
    const body = review(parseReview(r)).body;
    expect(body).toMatchObject({ apiVersion: r.apiVersion, kind: 'AdmissionReview', response: { uid: r.request.uid, allowed: true, patchType: 'JSONPatch' } });
  });
});

describe('skips (T6, T7, T8)', () => {
  it.each([
    ['kube-system', 'pod-create-kube-system', 'system-namespace'],
    ['no opt-in', 'pod-create-no-opt-in', 'no-opt-in'],
    ['a Deployment', 'deployment-create', 'not-a-pod-create'],
    ['UPDATE of ephemeral containers', 'pod-update-ephemeral', 'not-a-pod-create'],
  ])('%s', (_label, name, reason) => {
    const r = review(fixture(name));
    expect(r).toMatchObject({ outcome: 'skip', reason });
    expect(response(r).patch).toBeUndefined();
    expect(response(r).allowed).toBe(true);
  });

  it.each([
    ['kube-public', 'system-namespace'],
    ['secrets-broker', 'own-namespace'],
    ['legacy', 'excluded-namespace'],
    ['', 'no-namespace'],
  ])('namespace "%s" is skipped and audited as %s', (ns, reason) => {
    const r = review(createReview(basicPod(), ns));
    expect(r).toMatchObject({ outcome: 'skip', reason, audit: { event: 'admission.skip', detail: { reason } } });
  });

  it('request.namespace decides, not the object metadata (T6)', () => {
    const pod = basicPod();
    pod.metadata!.namespace = 'shop';
    expect(review(createReview(pod, 'kube-system')).reason).toBe('system-namespace');
    pod.metadata!.namespace = 'kube-system';
    expect(review(createReview(pod, 'shop')).outcome).toBe('inject');
  });

  it('dryRun gets the same patch and no audit record (T7)', () => {
    const wet = review(createReview(basicPod()));
    const dry = review(createReview(basicPod(), 'shop', { dryRun: true }));
    expect(dry.outcome).toBe('inject');
    expect(response(dry).patch).toBe(response(wet).patch);
    expect(wet.audit).toBeDefined();
    expect(dry.audit).toBeUndefined();
  });
});

describe('idempotence (T5)', () => {
  it('a second pass over the injected pod does nothing', () => {
    const first = review(fixture('pod-create-init-containers'));
    const pod = patched(fixture('pod-create-init-containers').request.object as Pod, response(first));
    const second = review(createReview(pod));
    expect(second).toMatchObject({ outcome: 'skip', reason: 'already-injected' });
    expect(response(second).patch).toBeUndefined();
  });

  it('a preset status annotation does not dodge injection (T9)', () => {
    const r = review(createReview(basicPod({ 'secrets-broker.io/status': 'injected' })));
    expect(r.outcome).toBe('inject');
  });
});

describe('denials', () => {
  it('names every bad annotation in one message and records it', () => {
    const pod = basicPod({ 'secrets-broker.io/vault-addr': 'https://evil', 'secrets-broker.io/mode-db': '0777' });
    const r = review(createReview(pod));
    expect(r.outcome).toBe('deny');
    expect(response(r)).toMatchObject({ allowed: false, status: { code: 403 } });
    expect(response(r).status.message).toMatch(/vault-addr: is an operator setting.*mode-db: must not be world-accessible/);
    expect(JSON.stringify(r.audit)).not.toContain('evil');
    expect(r.audit).toMatchObject({ event: 'admission.deny', outcome: 'failure', actor: { username: 'alice@example.com' } });
  });
});

describe('literal-secret policy (T8)', () => {
  const leaky = (): Pod =>
    basicPod({}, {
      initContainers: [{ name: 'init', image: 'i', args: ['--password=hunter2hunter2'] }],
      containers: [{ name: 'app', image: 'a', env: [{ name: 'DB_PASSWORD', value: 'correct-horse-battery' }, { name: 'MODE', value: 'prod' }] }],
    });

  it('warns by default, naming container and variable, never the value', () => {
    const r = review(createReview(leaky()));
    expect(r.outcome).toBe('inject');
    expect(response(r).warnings).toEqual([
      'init container "init" args[0]: literal secret (password flag, rule cli-password)',
      'container "app" env "DB_PASSWORD": literal secret (password assignment, rule generic-password)',
    ]);
    expect(JSON.stringify(r.body)).not.toMatch(/hunter2|correct-horse/);
  });

  it("uses the scanner's own rules when no detector is passed (one module, two users)", () => {
    const key = plant('aws-access-key-id', 7).secret;
    const secret = randomBytes(24).toString('base64url');
    const pod = basicPod({}, { containers: [{ name: 'app', image: 'a', env: [{ name: 'AWS_KEY_ID', value: key }, { name: 'API_TOKEN', value: secret }, { name: 'MODE', value: 'production' }] }] });
    const r = reviewPod(createReview(pod), { config });
    expect(response(r).warnings).toEqual([
      expect.stringMatching(/^container "app" env "AWS_KEY_ID": literal secret \(.*rule aws-access-key-id\)$/),
      expect.stringMatching(/^container "app" env "API_TOKEN": literal secret \(.*rule generic-secret\)$/),
    ]);
    expect(JSON.stringify(r.body)).not.toContain(key);
    expect(JSON.stringify(r.body)).not.toContain(secret);
  });

  it('applies to pods that did not opt in', () => {
    const pod = leaky();
    delete pod.metadata!.annotations;
    expect(response(review(createReview(pod))).warnings).toHaveLength(2);
  });

  it('deny refuses the pod with every finding', () => {
    const r = review(createReview(leaky()), fakeDetect, testConfig({ INJECTOR_LITERAL_SECRETS: 'deny' }));
    expect(r).toMatchObject({ outcome: 'deny', reason: 'literal-secret', audit: { event: 'admission.deny' } });
    expect(response(r).status.message).toContain('container "app" env "DB_PASSWORD"');
    expect(JSON.stringify(r)).not.toMatch(/hunter2|correct-horse/);
  });

  it('off does nothing', () => {
    expect(response(review(createReview(leaky()), fakeDetect, testConfig({ INJECTOR_LITERAL_SECRETS: 'off' }))).warnings).toBeUndefined();
  });

  it('judges the ephemeral containers an UPDATE adds', () => {
    const r = fixture('pod-update-ephemeral');
    const pod = r.request.object as Pod;
    pod.spec.ephemeralContainers![0]!.env = [{ name: 'API_TOKEN', value: plant('aws-access-key-id', 3).secret }];
    (r.request.oldObject as Pod).spec.containers[0]!.env = [{ name: 'OLD_SECRET', value: 'already-there-before' }];
    pod.spec.containers[0]!.env = [{ name: 'OLD_SECRET', value: 'already-there-before' }];
    const result = review(r, fakeDetect, testConfig({ INJECTOR_LITERAL_SECRETS: 'deny' }));
    expect(result.outcome).toBe('deny');
    expect(response(result).status.message).toContain('ephemeral container "debugger-x7k2p" env "API_TOKEN"');
    expect(response(result).status.message).not.toContain('OLD_SECRET');
  });

  it('skips our own sidecar on reinvocation', () => {
    const app = () => basicPod({}, { containers: [{ name: 'app', image: 'a', env: [{ name: 'X', value: 'y' }] }] });
    const first = review(createReview(app()));
    const pod = patched(app(), response(first));
    const always = () => ({ ruleId: 'x', title: 'x', severity: 'high' });
    const r = reviewPod(createReview(pod), { config, detect: always });
    expect(response(r).warnings).toEqual(['container "app" env "X": literal secret (x, rule x)']);
  });
});
