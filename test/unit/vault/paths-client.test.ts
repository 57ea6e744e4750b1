import { VaultError } from '../../../src/errors';
import { toVaultError } from '../../../src/vault/client';
import { planRead, secretFields } from '../../../src/vault/paths';
import { TransportError } from '../../../src/vault/transport';

const kv2 = { path: 'secret/', type: 'kv', kvVersion: 2 as const };

describe('planRead', () => {
  it.each([
    { path: 'secret/app/db', mount: kv2, out: { kind: 'kv2', dataPath: 'secret/data/app/db', metadataPath: 'secret/metadata/app/db' } },
    { path: 'secret/data/app/db', mount: kv2, out: { kind: 'kv2', dataPath: 'secret/data/app/db', metadataPath: 'secret/metadata/app/db' } },
    { path: 'kv/app', mount: { path: 'kv/', type: 'kv', kvVersion: 1 as const }, out: { kind: 'kv1', dataPath: 'kv/app' } },
    { path: 'database/creds/app', mount: { path: 'database/', type: 'database', kvVersion: 0 as const }, out: { kind: 'generic', dataPath: 'database/creds/app' } },
    { path: 'pki/issue/web?common_name=web.shop.svc&ttl=24h', mount: { path: 'pki/', type: 'pki', kvVersion: 0 as const }, out: { kind: 'pki', dataPath: 'pki/issue/web', params: { common_name: 'web.shop.svc', ttl: '24h' } } },
    { path: 'pki_int/issue/web?common_name=a', mount: undefined, out: { kind: 'pki', dataPath: 'pki_int/issue/web', params: { common_name: 'a' } } },
  ])('$path', ({ path, mount, out }) => {
    expect(planRead(path, mount)).toEqual(out);
  });

  it('unwraps KV v2 and refuses a deleted version', () => {
    expect(secretFields('kv2', { data: { a: '1' }, metadata: { version: 3 } })).toEqual({ fields: { a: '1' }, version: 3 });
    expect(secretFields('kv2', { data: null, metadata: { version: 4 } })).toEqual({ version: 4 });
  });
});

describe('toVaultError', () => {
  const secret = `value-${Math.random().toString(36).slice(2)}`;
  it.each([
    { err: { response: { statusCode: 503, body: { errors: ['Vault is sealed'] } } }, kind: 'sealed', transient: true },
    { err: { response: { statusCode: 500, body: { errors: [`db said ${secret}`] } } }, kind: 'server', transient: true },
    { err: { response: { statusCode: 502, body: undefined } }, kind: 'server', transient: true },
    { err: { response: { statusCode: 429, body: {} } }, kind: 'throttled', transient: true },
    { err: { response: { statusCode: 403, body: { errors: ['permission denied'] } } }, kind: 'forbidden', transient: false },
    { err: { response: { statusCode: 404, body: { errors: [] } } }, kind: 'not-found', transient: false },
    { err: { response: { statusCode: 400, body: { errors: [`invalid input ${secret}`] } } }, kind: 'bad-request', transient: false },
    { err: new TransportError('timeout', 'request timed out'), kind: 'timeout', transient: true },
    { err: new TransportError('tls', 'TLS verification failed (SELF_SIGNED_CERT_IN_CHAIN)'), kind: 'tls', transient: false },
  ])('$kind', ({ err, kind, transient }) => {
    const e = toVaultError(err, 'GET', 'secret/data/x');
    expect(e).toBeInstanceOf(VaultError);
    expect(e.kind).toBe(kind);
    expect(e.transient).toBe(transient);
    expect(e.message).toContain('secret/data/x');
    expect(e.message).not.toContain(secret); // Vault error bodies can echo values (T26)
  });
});
