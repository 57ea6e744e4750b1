import { INJECTOR_SCHEMA, loadInjectorConfig } from '../../../src/config/injector';
import { RESOURCE_FIELD_INFO } from '../../../src/pod-resources';
import { ConfigError } from '../../../src/errors';
import { BASE_ENV } from '../../helpers/injector';

describe('injector settings', () => {
  it('has the contract defaults', () => {
    const c = loadInjectorConfig(BASE_ENV);
    expect(c).toMatchObject({ port: 8443, literalSecrets: 'warn', ownNamespace: 'secrets-broker', excludedNamespaces: [] });
    expect(c.sidecar).toMatchObject({
      vaultAuthPath: 'auth/kubernetes', vaultAuthMethod: 'kubernetes', mode: 'native', tmpfsSize: '16Mi', tokenAudience: 'vault',
      tokenExpirySeconds: 600, runAsUser: 65530, fileGroup: 65530, healthPort: 8099, revokeOnShutdown: true,
    });
    expect(c.sidecar.vaultCa).toBeUndefined();
    expect(c.sidecar.maxResources).toEqual({ requests: { cpu: '500m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } });
  });

  it('the settings the per-pod resource messages name are settings of the injector', () => {
    const named = Object.values(RESOURCE_FIELD_INFO).flatMap((i) => [i.maxSetting, i.defaultSetting]);
    expect(named.filter((n) => !(n in INJECTOR_SCHEMA))).toEqual([]);
  });

  it.each(['SIDECAR_MAX_CPU_REQUEST', 'SIDECAR_MAX_MEMORY_REQUEST', 'SIDECAR_MAX_CPU_LIMIT', 'SIDECAR_MAX_MEMORY_LIMIT'])('%s: a quantity, never empty', (setting) => {
    expect(() => loadInjectorConfig({ ...BASE_ENV, [setting]: 'lots' })).toThrow(ConfigError);
    expect(() => loadInjectorConfig({ ...BASE_ENV, [setting]: '' })).toThrow(ConfigError);
    expect(loadInjectorConfig({ ...BASE_ENV, [setting]: '2Gi' }).sidecar.maxResources).toMatchObject(
      setting.endsWith('REQUEST') ? { requests: { [setting.includes('CPU') ? 'cpu' : 'memory']: '2Gi' } } : { limits: { [setting.includes('CPU') ? 'cpu' : 'memory']: '2Gi' } },
    );
  });

  it('parses lists and the CA source', () => {
    const c = loadInjectorConfig({ ...BASE_ENV, INJECTOR_EXCLUDE_NAMESPACES: 'a, b,,c', INJECTOR_VAULT_CA_SECRET: 'vault-tls', SIDECAR_CPU_LIMIT: '200m' });
    expect(c.excludedNamespaces).toEqual(['a', 'b', 'c']);
    expect(c.sidecar.vaultCa).toEqual({ kind: 'secret', name: 'vault-tls', key: 'ca.crt' });
    expect(c.sidecar.resources.limits).toEqual({ cpu: '200m', memory: '128Mi' });
  });

  it('names every bad setting and never echoes a value', () => {
    let caught: unknown;
    try {
      loadInjectorConfig({
        INJECTOR_LITERAL_SECRETS: 'loud-sentinel', INJECTOR_SIDECAR_MODE: 'both-sentinel', SIDECAR_TOKEN_EXPIRY_SECONDS: '60',
        SIDECAR_TMPFS_SIZE: 'big-sentinel', INJECTOR_EXCLUDE_NAMESPACES: 'Not_A_Namespace', VAULT_ADDR: 'not a url sentinel',
        AUDIT_FILE_KEEP: 'many-sentinel',
      });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems;
    expect(problems.map((p) => p.setting)).toEqual([
      'AUDIT_FILE_KEEP', 'INJECTOR_EXCLUDE_NAMESPACES', 'INJECTOR_LITERAL_SECRETS', 'INJECTOR_SIDECAR_MODE', 'INJECTOR_TLS_CERT_FILE', 'INJECTOR_TLS_KEY_FILE',
      'SIDECAR_IMAGE', 'SIDECAR_TMPFS_SIZE', 'SIDECAR_TOKEN_EXPIRY_SECONDS', 'VAULT_ADDR',
    ]);
    expect((caught as ConfigError).message).not.toContain('sentinel');
  });

  it('takes the audit file from INJECTOR_AUDIT_FILE and the rest of the audit settings as documented', () => {
    const c = loadInjectorConfig({ ...BASE_ENV, INJECTOR_AUDIT_FILE: '/var/log/sb/injector.jsonl', AUDIT_CHECKPOINT_EVERY: '50' });
    expect(c.audit).toMatchObject({ file: '/var/log/sb/injector.jsonl', checkpointEvery: 50, keep: 5 });
    expect(loadInjectorConfig(BASE_ENV).audit.file).toBe('');
  });

  it('refuses two CA sources', () => {
    expect(() => loadInjectorConfig({ ...BASE_ENV, INJECTOR_VAULT_CA_SECRET: 'a', INJECTOR_VAULT_CA_CONFIGMAP: 'b' })).toThrow(ConfigError);
  });
});
