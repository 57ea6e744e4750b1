/** The injector's request handler in process (supertest): the injector's HTTP rows of docs/threat-model.md. */
import { createServer } from 'node:http';
import { Writable } from 'node:stream';
import request from 'supertest';
import { createApp } from '../../injector/app';
import { MemoryAuditSink } from '../../src/audit/writer';
import { createLogger } from '../../src/log';
import { MAX_LITERAL_REQUEST_CHARS, MAX_LITERAL_VALUE_CHARS, type LiteralDetector } from '../../src/inject/literal';
import type { Pod } from '../../src/inject/types';
import { detectLiteral } from '../../src/scan/detect';
import { basicPod, createReview, fakeDetect, fixture, patched, testConfig } from '../helpers/injector';
import { RSA_KEY_HEADER } from '../helpers/fake-secrets';

function setup(detect = fakeDetect, env: Record<string, string> = {}) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString('utf8'));
      cb();
    },
  });
  const audit = new MemoryAuditSink();
  const logger = createLogger({ name: 'injector', level: 'debug', destination });
  const { handler } = createApp({ config: testConfig(env), audit, logger, detect });
  return { app: handler, audit, logs: () => lines.join('') };
}

const post = (app: ReturnType<typeof setup>['app']) => request(app).post('/mutate');

describe('malformed requests get 4xx and are never logged (T1, T2, T3)', () => {
  it.each<[string, string | undefined, string | Buffer, number, RegExp]>([
    ['missing Content-Type', undefined, '{}', 400, /Content-Type/],
    ['wrong Content-Type', 'text/plain', '{}', 400, /Content-Type/],
    ['empty body', 'application/json', '', 400, /empty body/],
    ['truncated JSON', 'application/json', '{"kind":"AdmissionReview","request":{"uid":"x"', 400, /malformed JSON/],
    ['not an AdmissionReview', 'application/json', '{"kind":"Pod","apiVersion":"v1"}', 400, /kind must be AdmissionReview/],
    ['no request.uid', 'application/json', '{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{}}', 400, /request.uid/],
    ['deeply nested JSON', 'application/json', '['.repeat(100000) + ']'.repeat(100000), 400, /nested deeper/],
    ['nested inside a real review', 'application/json', JSON.stringify({ ...fixture('pod-create-small'), x: JSON.parse('['.repeat(200) + ']'.repeat(200)) }), 400, /nested deeper/],
  ])('%s', async (_label, type, body, status, message) => {
    const { app, logs } = setup();
    const req = post(app);
    if (type) req.set('Content-Type', type);
    const res = await req.send(body);
    expect(res.status).toBe(status);
    expect(res.body.error).toMatch(message);
    expect(logs()).not.toContain('AdmissionReview","request');
  });

  // "Quickly" means well inside the 10 s webhook timeout, on any machine: the limit cuts the read short.
  it('refuses a body over the limit with 413, quickly', async () => {
    const { app } = setup();
    const started = Date.now();
    const huge = JSON.stringify({ kind: 'AdmissionReview', pad: 'x'.repeat(4 * 1024 * 1024) });
    const res = await post(app).set('Content-Type', 'application/json').send(huge);
    expect(res.status).toBe(413);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('still injects a legitimately large pod (1000 env vars)', async () => {
    const { app } = setup();
    const review = fixture('pod-create-1000-env');
    const res = await post(app).set('Content-Type', 'application/json').send(JSON.stringify(review));
    expect(res.status).toBe(200);
    expect(res.body.response).toMatchObject({ uid: review.request.uid, allowed: true, patchType: 'JSONPatch' });
    const after = patched(review.request.object as Pod, res.body.response);
    expect(after.spec.initContainers?.[0]?.name).toBe('secrets-broker');
  });
});

describe('the /mutate route as the apiserver calls it', () => {
  it.each<[string, string, Record<string, string>, number]>([
    ['with the timeout query the apiserver appends', '/mutate?timeout=10s', {}, 200],
    ['with a trailing slash', '/mutate/', {}, 200],
    ['in another case', '/MUTATE', {}, 200],
    ['with a charset', '/mutate', { 'Content-Type': 'application/json; charset=utf-8' }, 200],
    ['compressed: refused, never inflated past the limit', '/mutate', { 'Content-Encoding': 'gzip' }, 415],
    ['another path', '/mutate2', {}, 404],
  ])('%s', async (_label, path, headers, status) => {
    const { app, audit } = setup();
    const review = fixture('pod-create-small');
    const res = await request(app).post(path).set({ 'Content-Type': 'application/json', ...headers }).send(JSON.stringify(review));
    expect(res.status).toBe(status);
    if (status === 200) expect(res.body.response).toMatchObject({ uid: review.request.uid, allowed: true });
    else expect(audit.entries).toEqual([]);
  });
});

describe('decisions are HTTP 200', () => {
  it.each([
    ['inject', 'pod-create-small', true],
    ['skip kube-system', 'pod-create-kube-system', true],
    ['skip UPDATE', 'pod-update-ephemeral', true],
    ['skip Deployment', 'deployment-create', true],
  ])('%s', async (_label, name, allowed) => {
    const { app } = setup();
    const review = fixture(name);
    const res = await post(app).set('Content-Type', 'application/json').send(JSON.stringify(review));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ apiVersion: review.apiVersion, kind: 'AdmissionReview', response: { uid: review.request.uid, allowed } });
  });

  it('a denial is 200 with allowed false, a message naming each problem, an audit record, and a metric', async () => {
    const { app, audit, logs } = setup();
    const pod = basicPod({ 'secrets-broker.io/image': 'evil/image', 'secrets-broker.io/file-db': '../../etc/shadow' });
    const res = await post(app).set('Content-Type', 'application/json').send(JSON.stringify(createReview(pod)));
    expect(res.status).toBe(200);
    expect(res.body.response.allowed).toBe(false);
    expect(res.body.response.status.message).toMatch(/image: is an operator setting.*file-db: must not contain/);
    expect(audit.entries).toMatchObject([{ event: 'admission.deny', outcome: 'failure', pod: { namespace: 'shop', name: 'app' } }]);
    expect(logs()).not.toContain('etc/shadow');
    const metrics = await request(app).get('/metrics');
    expect(metrics.text).toMatch(/secrets_broker_injector_denials_total\{namespace="shop",reason="invalid-annotations"\} 1/);
  });

  it('a look-alike sidecar is denied as an impostor, counted under its own reason', async () => {
    const { app } = setup();
    const pod = basicPod({ 'secrets-broker.io/status': 'injected' }, { initContainers: [{ name: 'secrets-broker', image: 'evil/img:1', env: [{ name: 'SECRETS_BROKER_SPEC', value: '{}' }] }] });
    const res = await post(app).set('Content-Type', 'application/json').send(JSON.stringify(createReview(pod)));
    expect(res.status).toBe(200);
    expect(res.body.response.allowed).toBe(false);
    expect(res.body.response.status.message).toContain('init container "secrets-broker" carries SECRETS_BROKER_SPEC but is not the sidecar');
    const metrics = await request(app).get('/metrics');
    expect(metrics.text).toMatch(/secrets_broker_injector_denials_total\{namespace="shop",reason="impostor"\} 1/);
  });

  // The work is bounded by the literal-secret budget, not by the body: counted, never timed.
  it('a body of adversarial values near the size limit: the scanner rules see at most the budget, the pod is denied under deny', async () => {
    let chars = 0;
    const counted: LiteralDetector = (value, name) => {
      chars += value.length + (name?.length ?? 0);
      return detectLiteral(value, name);
    };
    const { app } = setup(counted, { INJECTOR_LITERAL_SECRETS: 'deny' });
    const value = RSA_KEY_HEADER.repeat(2200);
    const pod = basicPod({}, { containers: [{ name: 'app', image: 'a', env: Array.from({ length: 40 }, (_, i) => ({ name: `CFG_${i}`, value })) }] });
    const body = JSON.stringify(createReview(pod));
    expect(body.length).toBeGreaterThan(2.5 * 1024 * 1024);
    const res = await post(app).set('Content-Type', 'application/json').send(body);
    expect(res.status).toBe(200);
    expect(res.body.response.allowed).toBe(false);
    expect(res.body.response.status.message).toContain(`container "app" env "CFG_0": longer than ${MAX_LITERAL_VALUE_CHARS} characters`);
    expect(chars).toBeLessThanOrEqual(MAX_LITERAL_REQUEST_CHARS);
  });

  it('an unexpected exception is a logged 500', async () => {
    const { app, logs } = setup(() => {
      throw new Error('detector bug');
    });
    const res = await post(app).set('Content-Type', 'application/json').send(JSON.stringify(fixture('pod-create-1000-env')));
    expect(res.status).toBe(500);
    expect(logs()).toContain('detector bug');
    expect(logs()).not.toContain('value-1-for-the-application');
  });
});

describe('never logs a pod body or env value', () => {
  it('literal secrets are warned about without their value, in responses, logs, audit and metrics', async () => {
    const { app, audit, logs } = setup();
    const pod = basicPod({}, { containers: [{ name: 'app', image: 'a', env: [{ name: 'DB_PASSWORD', value: 'correct-horse-battery' }] }] });
    const res = await post(app).set('Content-Type', 'application/json').send(JSON.stringify(createReview(pod)));
    expect(res.body.response.warnings).toEqual(['container "app" env "DB_PASSWORD": literal secret (password assignment, rule generic-password)']);
    const metrics = (await request(app).get('/metrics')).text;
    for (const text of [logs(), JSON.stringify(audit.entries), metrics, JSON.stringify(res.body.response.warnings)]) {
      expect(text).not.toContain('correct-horse');
    }
    expect(metrics).toMatch(/secrets_broker_injector_literal_secrets_total\{namespace="shop"\} 1/);
    expect(metrics).toMatch(/secrets_broker_injector_injections_total\{namespace="shop"\} 1/);
  });
});

describe('probes and metrics', () => {
  it.each([['/healthz', 200], ['/readyz', 200], ['/nope', 404]])('%s', async (path, status) => {
    const { app } = setup();
    expect((await request(app).get(path)).status).toBe(status);
  });

  it.each<[string, 'get' | 'head', string, number, RegExp]>([
    ['healthz', 'get', '/healthz', 200, /^text\/plain; charset=utf-8$/],
    ['readyz', 'get', '/readyz', 200, /^text\/plain; charset=utf-8$/],
    ['metrics', 'get', '/metrics', 200, /^text\/plain; version=0\.0\.4; charset=utf-8$/],
    ['any case, a trailing slash and a query, as express matched them', 'get', '/HealthZ/?probe=1', 200, /^text\/plain; charset=utf-8$/],
    ['HEAD, which express answers', 'head', '/healthz', 200, /^text\/plain; charset=utf-8$/],
    ['a path that is not a probe', 'get', '/healthzz', 404, /^application\/json; charset=utf-8$/],
  ])('%s', async (_label, method, path, status, type) => {
    const { app } = setup();
    const res = await request(app)[method](path);
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(type);
  });

  it('a scrape that fails is a logged 500, not a crash', async () => {
    const audit = new MemoryAuditSink();
    const logs: string[] = [];
    const destination = new Writable({ write: (c: Buffer, _e, cb) => (logs.push(c.toString()), cb()) });
    const { handler } = createApp({ config: testConfig(), audit, logger: createLogger({ name: 'injector', level: 'warn', destination }), metricsText: () => Promise.reject(new Error('registry gone')) });
    const res = await request(handler).get('/metrics');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: 'internal error' });
    expect(logs.join('')).toContain('registry gone');
  });

  it('GET /mutate is not a decision', async () => {
    const { app } = setup();
    expect((await request(app).get('/mutate')).status).toBe(404);
  });
});

describe('a flood of requests (T14)', () => {
  // Latency figures live in bench/injector.ts; this checks behaviour under a flood: every
  // request gets its own decision, health keeps answering, and nothing comes near the
  // webhook timeout (10 s), whatever else the machine is doing.
  it('answers every request with its own uid and stays healthy', async () => {
    const { app } = setup();
    const server = createServer(app).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const agent = request.agent(server);
    const review = fixture('pod-create-small');
    const times: number[] = [];
    const one = async (i: number) => {
      const uid = `flood-${i}`;
      const t = process.hrtime.bigint();
      const res = await agent.post('/mutate').set('Content-Type', 'application/json').send({ ...review, request: { ...review.request, uid } });
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
      expect(res.status).toBe(200);
      expect(res.body.response.uid).toBe(uid);
      expect(res.body.response.allowed).toBe(true);
    };
    try {
      for (let batch = 0; batch < 8; batch++) {
        await Promise.all([...Array.from({ length: 50 }, (_, i) => one(batch * 50 + i)), agent.get('/healthz').expect(200)]);
      }
    } finally {
      await new Promise((r) => server.close(r));
    }
    expect(times).toHaveLength(400);
    expect(Math.max(...times)).toBeLessThan(10_000);
  }, 60_000);
});
