/**
 * The settings the injector hands to the sidecar cannot disagree: for every edge of every
 * row (test/helpers/setting-edges.ts), an injector configuration that loads injects pods
 * whose sidecar environment the sidecar's parser accepts, and a value the sidecar would
 * refuse stops the injector at start-up with a ConfigError naming that setting.
 */
import { PassThrough } from 'node:stream';
import { runCli } from '../../../src/cli/main';
import { loadInjectorConfig, type InjectorConfig } from '../../../src/config/injector';
import { parseSidecarConfig } from '../../../src/config/sidecar';
import { SIDECAR_SETTINGS, STALE_AFTER } from '../../../src/config/sidecar-settings';
import { ConfigError } from '../../../src/errors';
import { injectedSidecarEnvs } from '../../helpers/handoff';
import { BASE_ENV, testConfig } from '../../helpers/injector';
import { allEdges, edges, SETTING_KEYS } from '../../helpers/setting-edges';

type Loaded = { ok: true; config: InjectorConfig } | { ok: false; err: ConfigError };

function load(env: Record<string, string>): Loaded {
  try {
    return { ok: true, config: loadInjectorConfig(env) };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { ok: false, err };
  }
}

function sidecarAccepts(env: Record<string, string>): boolean {
  try {
    parseSidecarConfig(env);
    return true;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return false;
  }
}

/** A sidecar environment as the injector writes it for the default settings. */
const SIDECAR_BASE = injectedSidecarEnvs(testConfig())[0]!;

describe.each(['native', 'classic'])('%s mode: injector and sidecar agree on every edge', (mode) => {
  it.each(allEdges())('%s = %s', (key, _title, value) => {
    const row = SIDECAR_SETTINGS[key];
    const loaded = load({ ...BASE_ENV, INJECTOR_SIDECAR_MODE: mode, [row.injectorEnv]: value });
    const direct = sidecarAccepts({ ...SIDECAR_BASE, [row.env]: value });
    if (loaded.ok) {
      for (const env of injectedSidecarEnvs(loaded.config)) expect(parseSidecarConfig(env)).toBeDefined();
      expect(direct).toBe(true);
    } else {
      expect(loaded.err.problems.map((p) => p.setting)).toEqual([row.injectorEnv]);
      if (value.length >= 6) expect(loaded.err.message).not.toContain(value);
      // Outside a pod the sidecar may take any free port; the injector never hands it 0.
      if (!(key === 'healthPort' && value === '0')) expect(direct).toBe(false);
    }
  });
});

it('every row at an accepted edge at once still hands over an environment the sidecar accepts', () => {
  const accepted = Object.fromEntries(
    SETTING_KEYS.map((k) => [k, edges(k).filter((v) => load({ ...BASE_ENV, [SIDECAR_SETTINGS[k].injectorEnv]: v }).ok)]),
  );
  const rounds = Math.max(...Object.values(accepted).map((list) => list.length));
  for (let i = 0; i < rounds; i++) {
    const env: Record<string, string> = { ...BASE_ENV };
    for (const k of SETTING_KEYS) env[SIDECAR_SETTINGS[k].injectorEnv] = accepted[k]![i % accepted[k]!.length]!;
    const loaded = load(env);
    expect(loaded.ok).toBe(true);
    if (loaded.ok) for (const e of injectedSidecarEnvs(loaded.config)) expect(parseSidecarConfig(e)).toBeDefined();
  }
});

describe('the three settings that used to crash-loop every injected sidecar', () => {
  const refused = (env: Record<string, string>): ConfigError => {
    const loaded = load({ ...BASE_ENV, ...env });
    if (loaded.ok) throw new Error('expected the injector to refuse the settings');
    return loaded.err;
  };

  it('VAULT_ADDR=http://vault.vault.svc:8200 stops the injector at start-up, naming VAULT_ADDR', () => {
    const err = refused({ VAULT_ADDR: 'http://vault.vault.svc:8200' });
    expect(err.problems).toEqual([{ setting: 'VAULT_ADDR', message: expect.stringMatching(/^must use https/) }]);
    expect(err.code).toBe('CONFIG_INVALID');
  });

  it.each(['5', '9s', '9'])('SIDECAR_STALE_AFTER=%s is below the one minimum both sides use', (value) => {
    expect(refused({ SIDECAR_STALE_AFTER: value }).settings).toEqual(['SIDECAR_STALE_AFTER']);
  });

  it.each<[string, number]>([
    ['10', 10],
    ['10s', 10],
    ['10m', 600],
    ['744h', STALE_AFTER.max],
    ['0', STALE_AFTER.defaultSeconds],
    ['5m', STALE_AFTER.defaultSeconds],
  ])('SIDECAR_STALE_AFTER=%s: the sidecar in the pod waits %i s', (value, seconds) => {
    const [env] = injectedSidecarEnvs(testConfig({ SIDECAR_STALE_AFTER: value }));
    expect(parseSidecarConfig(env!).staleAfterSeconds).toBe(seconds);
  });

  it.each(['kubernetes', 'auth/kubernetes', '/auth/kubernetes/'])('VAULT_AUTH_PATH=%s (vault-k8s spelling too) is auth/kubernetes on both sides', (value) => {
    const config = testConfig({ VAULT_AUTH_PATH: value });
    expect(config.sidecar.vaultAuthPath).toBe('auth/kubernetes');
    for (const env of injectedSidecarEnvs(config)) expect(parseSidecarConfig(env).authPath).toBe('auth/kubernetes');
    expect(parseSidecarConfig({ ...SIDECAR_BASE, VAULT_AUTH_PATH: value }).authPath).toBe('auth/kubernetes');
  });

  it('the CLI exits 2 with one line per problem naming the setting, never its value', async () => {
    const stderr = new PassThrough();
    const env = { ...BASE_ENV, VAULT_ADDR: 'http://vault-sentinel.vault.svc:8200', SIDECAR_STALE_AFTER: '5', VAULT_AUTH_PATH: 'kubernetes' };
    expect(await runCli(['injector'], { env, stdout: new PassThrough(), stderr })).toBe(2);
    const lines = String(stderr.read()).trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^secrets-broker: SIDECAR_STALE_AFTER: must be a duration/),
      expect.stringMatching(/^secrets-broker: VAULT_ADDR: must use https/),
    ]);
    expect(lines.join('\n')).not.toContain('sentinel');
  });
});

it('a sidecar started by hand may still take any free health port', () => {
  expect(parseSidecarConfig({ ...SIDECAR_BASE, SIDECAR_HEALTH_PORT: '0' }).healthPort).toBe(0);
  expect(load({ ...BASE_ENV, SIDECAR_HEALTH_PORT: '0' }).ok).toBe(false);
});

it('every problem of a bad sidecar environment is named once, as data', () => {
  let caught: unknown;
  try {
    parseSidecarConfig({ VAULT_ADDR: 'ftp://sentinel', SIDECAR_STALE_AFTER: 'soon-sentinel', SIDECAR_REQUEST_TIMEOUT: '0s', LOG_LEVEL: 'loud' });
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  expect((caught as ConfigError).settings).toEqual(['LOG_LEVEL', 'SECRETS_BROKER_SPEC', 'SIDECAR_REQUEST_TIMEOUT', 'SIDECAR_STALE_AFTER', 'VAULT_ADDR']);
  expect((caught as ConfigError).message).not.toContain('sentinel');
});
