/** Threat rows 16-20, 23-25, 28, 32 and the refresh rules, one Controller step at a time against a stub Vault. */
import { existsSync, promises as fs, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { WriteError } from '../../../src/errors';
import { makeController, type CtlHarness } from '../../helpers/controller-harness';
import { secret } from '../../helpers/harness';
import { startStubVault, type StubVault } from '../../helpers/stub-vault';

let v: StubVault;
let h: CtlHarness;
beforeEach(async () => {
  v = await startStubVault();
  v.kv.set('app/db', { version: 1, data: { username: 'app', password: 'pw-one' } });
});
afterEach(async () => {
  h?.client.close();
  await v.close();
});

const file = (name: string) => readFileSync(path.join(h.mount, `${name}.json`), 'utf8');
const login = async () => expect((await h.c.tokenStep('login')).ok).toBe(true);

describe('controller against a stub Vault', () => {
  it('KV v2: one read per path shared by two files; polls metadata and fetches data only on a new version', async () => {
    h = makeController(v.url, [secret('db', 'secret/app/db'), secret('db2', 'secret/data/app/db', { format: 'env', file: 'db.env' })]);
    await login();
    expect(h.c.sources).toHaveLength(2); // two spellings of the path are two sources...
    h = makeController(v.url, [secret('db', 'secret/app/db'), secret('dbenv', 'secret/app/db', { format: 'env', file: 'db.env' })]);
    await login();
    const [s] = h.c.sources;
    expect(h.c.sources).toHaveLength(1); // ...one spelling, one source
    expect((await h.c.sourceStep(s!, 'fetch')).ok).toBe(true);
    expect(v.count('GET', 'secret/data/app/db')).toBe(1);
    expect(readFileSync(path.join(h.mount, 'db.env'), 'utf8')).toBe("password='pw-one'\nusername='app'\n");
    const ino = (await fs.stat(path.join(h.mount, 'db.json'))).ino;
    const same = await h.c.sourceStep(s!, 'poll');
    expect(same).toMatchObject({ ok: true, changed: false, action: 'poll' });
    expect(v.count('GET', 'secret/metadata/app/db')).toBe(1);
    expect(v.count('GET', 'secret/data/app/db')).toBe(1);
    expect((await fs.stat(path.join(h.mount, 'db.json'))).ino).toBe(ino);
    v.kv.set('app/db', { version: 2, data: { username: 'app', password: 'pw-two' } });
    expect(await h.c.sourceStep(s!, 'poll')).toMatchObject({ ok: true, changed: true });
    expect(JSON.parse(file('db')).password).toBe('pw-two');
    expect(h.sink.entries.filter((e) => e.event === 'secret.rotate').map((e) => e.secret).sort()).toEqual(['db', 'dbenv']);
    expect(h.sink.entries.find((e) => e.event === 'secret.read' && e.vault?.version === 2)).toBeDefined();
  });

  it('falls back to reading data when metadata is forbidden', async () => {
    h = makeController(v.url, [secret('db', 'secret/app/db')]);
    v.denied.add('secret/metadata/app/db');
    await login();
    const [s] = h.c.sources;
    await h.c.sourceStep(s!, 'fetch');
    expect((await h.c.sourceStep(s!, 'poll')).ok).toBe(true);
    expect((await h.c.sourceStep(s!, 'poll')).ok).toBe(true);
    expect(v.count('GET', 'secret/metadata/')).toBe(1);
    expect(v.count('GET', 'secret/data/app/db')).toBe(3);
    expect(v.count('POST', 'auth/kubernetes/login')).toBe(1);
  });

  it('T16: 502/503/429 are retried with growing jittered backoff, not in a storm', async () => {
    h = makeController(v.url, [secret('db', 'secret/app/db')]);
    await login();
    const [s] = h.c.sources;
    const delays: number[] = [];
    for (const status of [502, 503, 429, 500]) {
      v.fault('secret/data/', { status }, 1);
      const step = await h.c.sourceStep(s!, 'fetch');
      expect(step.ok).toBe(false);
      delays.push(step.delaySeconds);
    }
    expect(delays).toEqual([0.5, 1, 2, 4]);
    expect(v.count('GET', 'secret/data/')).toBe(4); // one request per step: retries are scheduled, never looped
    expect(await h.c.sourceStep(s!, 'fetch')).toMatchObject({ ok: true, action: 'poll' });
    expect(h.metrics.errorCount('server')).toBe(3);
    expect(h.metrics.errorCount('throttled')).toBe(1);
  });

  it('T17: sealed mid-run keeps the last good file, goes unready past the staleness limit, recovers', async () => {
    h = makeController(v.url, [secret('db', 'secret/app/db')], { staleAfter: 30 });
    await login();
    const [s] = h.c.sources;
    await h.c.sourceStep(s!, 'fetch');
    expect(h.c.ready()).toBe(true);
    v.fault('', { status: 503, body: { errors: ['Vault is sealed'] } });
    v.kv.set('app/db', { version: 2, data: { username: 'app', password: 'pw-two' } });
    expect(await h.c.sourceStep(s!, 'poll')).toMatchObject({ ok: false });
    expect(JSON.parse(file('db')).password).toBe('pw-one');
    expect(h.metrics.errorCount('sealed')).toBe(1);
    expect(h.c.ready()).toBe(true);
    h.clock.now += 31_000;
    expect(h.c.ready()).toBe(false);
    const metrics = await h.metrics.render(h.clock.now, h.c.ready());
    expect(metrics.body).toMatch(/secrets_broker_sidecar_errors_total\{kind="sealed"\} 1/);
    expect(metrics.body).toMatch(/secrets_broker_sidecar_ready 0/);
    v.clear();
    expect(await h.c.sourceStep(s!, 'poll')).toMatchObject({ ok: true, changed: true });
    expect(JSON.parse(file('db')).password).toBe('pw-two');
    expect(h.c.ready()).toBe(true);
  });

  it('T18: a policy 403 is recorded and never causes a login loop', async () => {
    h = makeController(v.url, [secret('db', 'secret/app/db')]);
    v.denied.add('secret/data/app/db');
    await login();
    const [s] = h.c.sources;
    for (let i = 0; i < 3; i++) expect(await h.c.sourceStep(s!, 'fetch')).toMatchObject({ ok: false, relogin: false });
    expect(v.count('POST', 'auth/kubernetes/login')).toBe(1);
    const err = h.sink.entries.find((e) => e.event === 'secret.error');
    expect(err?.error).toMatch(/forbidden \(HTTP 403, permission denied\)/);
    expect(s!.lastError).toMatch(/policy denies it; not logging in again/);
    expect(existsSync(path.join(h.mount, 'db.json'))).toBe(false);
  });

  it('T19: a revoked token leads to a new login and a re-render; leased secrets are fetched again', async () => {
    h = makeController(v.url, [secret('db', 'secret/app/db'), secret('pg', 'database/creds/app')]);
    await login();
    const [kv, db] = h.c.sources;
    await h.c.sourceStep(kv!, 'fetch');
    await h.c.sourceStep(db!, 'fetch');
    const firstUser = JSON.parse(file('pg')).username;
    v.revokeAll();
    v.kv.set('app/db', { version: 2, data: { username: 'app', password: 'pw-two' } });
    expect(await h.c.sourceStep(kv!, 'poll')).toMatchObject({ ok: false, relogin: true, delaySeconds: 0 });
    const t = await h.c.tokenStep('login');
    expect(t).toMatchObject({ ok: true, relogged: true });
    expect(h.c.leasedUnderOldToken()).toEqual([db]);
    expect(await h.c.sourceStep(kv!, 'poll')).toMatchObject({ ok: true, changed: true });
    expect(await h.c.sourceStep(db!, 'fetch')).toMatchObject({ ok: true, changed: true });
    expect(JSON.parse(file('pg')).username).not.toBe(firstUser);
    expect(h.c.leasedUnderOldToken()).toEqual([]);
  });

  it('T20: a missing path or key is an error naming it; nothing is rendered as undefined', async () => {
    h = makeController(v.url, [secret('gone', 'secret/app/none'), secret('pw', 'secret/app/db', { key: 'passwd', file: 'pw' })]);
    await login();
    const [gone, pw] = h.c.sources;
    expect((await h.c.sourceStep(gone!, 'fetch')).ok).toBe(false);
    expect(gone!.lastError).toBe('Vault GET secret/data/app/none: not-found (HTTP 404)');
    expect((await h.c.sourceStep(pw!, 'fetch')).ok).toBe(false);
    expect(pw!.lastError).toBe('pw: secret/app/db: key "passwd" not found in the secret');
    expect(await fs.readdir(h.mount)).toEqual([]);
    expect(h.c.ready()).toBe(false);
  });

  it('T21: a hanging Vault is cut by the per-request timeout', async () => {
    h = makeController(v.url, [secret('db', 'secret/app/db')], { timeoutMs: 300 });
    await login();
    v.fault('secret/data/', 'hang');
    const t0 = Date.now();
    expect((await h.c.sourceStep(h.c.sources[0]!, 'fetch')).ok).toBe(false);
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(h.metrics.errorCount('timeout')).toBe(1);
  });

  it('malformed and reset answers are errors, not crashes or empty files', async () => {
    h = makeController(v.url, [secret('db', 'secret/app/db')]);
    await login();
    v.fault('secret/data/', 'malformed', 1);
    v.fault('secret/data/', 'reset', 1);
    expect((await h.c.sourceStep(h.c.sources[0]!, 'fetch')).ok).toBe(false);
    expect((await h.c.sourceStep(h.c.sources[0]!, 'fetch')).ok).toBe(false);
    expect(h.metrics.errorCount('malformed')).toBe(1);
    expect(h.metrics.errorCount('network')).toBe(1);
    expect(await fs.readdir(h.mount)).toEqual([]);
  });

  it('T23: token renewal cut short by the max TTL leads to a login; a capped lease is replaced before it ends', async () => {
    h = makeController(v.url, [secret('pg', 'database/creds/app')]);
    v.config.tokenTtl = 3600;
    await login();
    expect(h.session.planNext(0).action).toBe('renew');
    v.config.renewTtl = 300;
    expect((await h.c.tokenStep('renew')).action).toBe('login');
    const [db] = h.c.sources;
    expect(await h.c.sourceStep(db!, 'fetch')).toMatchObject({ ok: true, action: 'renew', delaySeconds: 400 });
    v.config.leaseTtl = 60;
    expect(await h.c.sourceStep(db!, 'renew')).toMatchObject({ ok: true, changed: false, action: 'fetch', delaySeconds: 40 });
  });

  it('T24: the projected token file is re-read at every login', async () => {
    h = makeController(v.url, [secret('db', 'secret/app/db')]);
    await login();
    writeFileSync(h.tokenFile, 'eyJrotated.e30.sig\n');
    await login();
    const jwts = v.requests.filter((r) => r.path === 'auth/kubernetes/login').map((r) => r.body.jwt);
    expect(jwts).toEqual(['eyJhbGciOiJSUzI1NiJ9.e30.c2ln', 'eyJrotated.e30.sig']);
  });

  it('T25: a rejected JWT surfaces as a clear 403 with backoff, without the JWT', async () => {
    h = makeController(v.url, [secret('db', 'secret/app/db')]);
    v.config.jwt = 'something-else';
    const steps = [await h.c.tokenStep('login'), await h.c.tokenStep('login'), await h.c.tokenStep('login')];
    expect(steps.map((s) => s.ok)).toEqual([false, false, false]);
    expect(steps.map((s) => s.delaySeconds)).toEqual([0.5, 1, 2]);
    expect(h.sink.entries[0]).toMatchObject({ event: 'auth.login', outcome: 'failure', error: 'Vault POST auth/kubernetes/login: forbidden (HTTP 403, permission denied)' });
    // The role goes on login records, so `audit query --role` can answer which pods used it.
    expect(h.sink.entries[0]?.vault?.role).toBe('app');
    writeFileSync(h.tokenFile, '');
    expect((await h.c.tokenStep('login')).ok).toBe(false);
    expect(h.sink.entries.at(-1)?.error).toBe('the service-account token file is empty');
    expect(JSON.stringify(h.sink.entries) + h.logs()).not.toContain('c2ln');
  });

  it('T28: tmpfs full or read-only: the previous file stays, error and metric recorded', async () => {
    let fail: string | undefined;
    const { writeSecretFile } = await import('../../../src/render/write');
    h = makeController(v.url, [secret('db', 'secret/app/db')], {
      write: async (m, f, c, mode) => {
        if (fail) throw new WriteError(fail, `${f}: cannot write (${fail})`);
        return writeSecretFile(m, f, c, mode);
      },
    });
    await login();
    const [s] = h.c.sources;
    await h.c.sourceStep(s!, 'fetch');
    v.kv.set('app/db', { version: 2, data: { username: 'app', password: 'pw-two' } });
    for (const code of ['ENOSPC', 'EROFS']) {
      fail = code;
      expect((await h.c.sourceStep(s!, 'poll')).ok).toBe(false);
      expect(JSON.parse(file('db')).password).toBe('pw-one');
    }
    expect(h.metrics.errorCount('write')).toBe(2);
    expect(h.sink.entries.filter((e) => e.event === 'secret.write' && e.outcome === 'failure')).toHaveLength(2);
    fail = undefined;
    expect(await h.c.sourceStep(s!, 'poll')).toMatchObject({ ok: true, changed: true }); // unchanged version, but the pending write is retried
    expect(JSON.parse(file('db')).password).toBe('pw-two');
  });

  it('T32: one failing secret among many does not stop the others', async () => {
    for (let i = 0; i < 6; i++) v.kv.set(`app/s${i}`, { version: 1, data: { v: `value-${i}` } });
    h = makeController(v.url, [0, 1, 2, 3, 4, 5].map((i) => secret(`s${i}`, `secret/app/s${i}`)));
    v.denied.add('secret/data/app/s3');
    await login();
    const steps = await Promise.all(h.c.sources.map((s) => h.c.sourceStep(s, 'fetch')));
    expect(steps.map((s) => s.ok)).toEqual([true, true, true, false, true, true]);
    expect((await fs.readdir(h.mount)).sort()).toEqual(['s0.json', 's1.json', 's2.json', 's4.json', 's5.json']);
    expect(h.c.ready()).toBe(false);
    expect(v.count('GET', 'secret/data/app/s3')).toBe(1);
  });

  it('PKI: issues with POST parameters, renders PEM, re-issues at 2/3 of validity', async () => {
    v.config.certTtl = 3000;
    h = makeController(v.url, [secret('tls', 'pki/issue/web?common_name=web.shop.svc&ttl=1h', { format: 'pem', file: 'tls.pem' })]);
    await login();
    const step = await h.c.sourceStep(h.c.sources[0]!, 'fetch');
    expect(step).toMatchObject({ ok: true, action: 'fetch' });
    expect(step.delaySeconds).toBeGreaterThan(1990);
    expect(step.delaySeconds).toBeLessThan(2001);
    expect(v.requests.find((r) => r.path === 'pki/issue/web')?.body).toEqual({ common_name: 'web.shop.svc', ttl: '1h' });
    expect(readFileSync(path.join(h.mount, 'tls.pem'), 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----[\s\S]+PRIVATE KEY-----\n$/);
  });

  it('audit: lease ids appear only as Vault HMACs', async () => {
    h = makeController(v.url, [secret('pg', 'database/creds/app')], { hashDevice: 'file' });
    await login();
    const [db] = h.c.sources;
    await h.c.sourceStep(db!, 'fetch');
    await h.c.sourceStep(db!, 'renew');
    const leaseId = db!.lease!.id;
    const read = h.sink.entries.find((e) => e.event === 'secret.read');
    const renew = h.sink.entries.find((e) => e.event === 'secret.renew');
    expect(read?.vault?.leaseIdHmac).toMatch(/^hmac-sha256:/);
    expect(renew?.vault?.leaseIdHmac).toBe(read?.vault?.leaseIdHmac);
    expect(JSON.stringify(h.sink.entries)).not.toContain(leaseId);
    expect(v.count('POST', 'sys/audit-hash/file')).toBe(1);
  });
});
