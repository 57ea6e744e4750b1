/**
 * The chart cannot install an injector that refuses to start, nor one whose sidecars
 * refuse their settings: for every edge of every setting it hands to the sidecar, values
 * that pass `helm template` (schema and template checks) render an injector env that
 * loadInjectorConfig accepts, and the pods it injects get an env the sidecar accepts.
 */
import { loadInjectorConfig } from '../../../src/config/injector';
import { parseSidecarConfig } from '../../../src/config/sidecar';
import { SIDECAR_SETTINGS, type SettingRow } from '../../../src/config/sidecar-settings';
import { injectedSidecarEnvs } from '../../helpers/handoff';
import { CHART_DIR, haveHelm, helm, parseManifests, type K8sObject } from '../../helpers/helm';
import { allEdges, chartForm } from '../../helpers/setting-edges';

jest.setTimeout(60_000);

if (!haveHelm()) throw new Error('helm is missing: run `npm run stack:build` (or `bash test/stack/build.sh helm`)');

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';
/** An existing TLS Secret: no certificate generation, so each render is quick. */
const BASE = { vault: { addr: 'https://vault.vault.svc:8200' }, tls: { mode: 'secret', secretName: 'sb-tls' }, webhook: { caBundle: PEM } };

function withValue(path: string, value: unknown): Record<string, unknown> {
  const values = JSON.parse(JSON.stringify(BASE)) as Record<string, any>;
  const keys = path.split('.');
  const parent = keys.slice(0, -1).reduce((o, k) => (o[k] ??= {}), values);
  parent[keys[keys.length - 1]!] = value;
  return values;
}

async function render(values: object): Promise<{ objs?: K8sObject[]; env?: Record<string, string>; stderr: string }> {
  const r = await helm(['template', 'sb', CHART_DIR, '--namespace', 'secrets-broker'], values);
  if (r.code !== 0) return { stderr: r.stderr };
  const objs = parseManifests(r.stdout);
  const deploy = objs.find((o) => o.kind === 'Deployment')!;
  const env = deploy.spec.template.spec.containers[0].env as { name: string; value: string }[];
  return { objs, env: Object.fromEntries(env.map((e) => [e.name, e.value])), stderr: '' };
}

it.each(allEdges())('%s = %s: installable means it starts, and so do its sidecars', async (key, _title, v) => {
  const r = SIDECAR_SETTINGS[key] as SettingRow;
  const out = await render(withValue(r.chart.value, chartForm(r, v)));
  if (!out.env) {
    // Refused at install, naming the value (the schema's error or the chart's own message).
    expect(out.stderr).toContain(r.chart.value.split('.').pop());
    return;
  }
  const config = loadInjectorConfig(out.env);
  for (const env of injectedSidecarEnvs(config)) expect(parseSidecarConfig(env)).toBeDefined();
});

describe('the three values that used to crash-loop every injected sidecar', () => {
  it.each<[string, unknown]>([
    ['vault.addr', 'http://vault.vault.svc:8200'],
    ['sidecar.staleAfter', 5],
  ])('%s = %p is refused at install', async (path, value) => {
    const out = await render(withValue(path, value));
    expect(out.env).toBeUndefined();
    expect(out.stderr).toContain(path.split('.').pop());
  });

  it("vault.authPath = kubernetes (vault-k8s's spelling) installs, and every side reads auth/kubernetes", async () => {
    const out = await render(withValue('vault.authPath', 'kubernetes'));
    const config = loadInjectorConfig(out.env!);
    expect(config.sidecar.vaultAuthPath).toBe('auth/kubernetes');
    for (const env of injectedSidecarEnvs(config)) expect(parseSidecarConfig(env).authPath).toBe('auth/kubernetes');
  });
});

it('the ValidatingAdmissionPolicy expects the Vault address as the injector hands it over (trailing slashes dropped)', async () => {
  const out = await render({ ...withValue('vault.addr', 'https://vault.vault.svc:8200//'), validatingAdmissionPolicy: { enabled: true } });
  const handed = injectedSidecarEnvs(loadInjectorConfig(out.env!))[0]!.VAULT_ADDR;
  expect(handed).toBe('https://vault.vault.svc:8200');
  const expr = out.objs!.find((o) => o.kind === 'ValidatingAdmissionPolicy')!.spec.variables[0].expression as string;
  expect(expr).toContain(`e.?value.orValue('') == '${handed}')`);
});
