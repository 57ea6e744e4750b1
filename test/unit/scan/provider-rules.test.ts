/**
 * Each provider format is found with its own rule id, in a line a developer would write,
 * and a body one character short is not. Tokens are built at run time from pieces.
 */
import { matchText } from '../../../src/scan/match';
import { PROVIDER_RULES } from '../../../src/scan/provider-rules';
import { randomOf, rng } from '../../helpers/fake-secrets';

const UP = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOW = 'abcdefghijklmnopqrstuvwxyz';
const DIG = '0123456789';
const AN = UP + LOW + DIG;
const HEX = '0123456789abcdef';
const URLSAFE = AN + '_-';

/** Rule id and a token of that format built from `a(alphabet, n)`. */
const FORMATS: Array<[string, (a: (alpha: string, n: number) => string) => string]> = [
  ['openai-api-key', (a) => 'sk-' + 'proj-' + a(URLSAFE, 40) + 'T3Blbk' + 'FJ' + a(URLSAFE, 40)],
  ['anthropic-api-key', (a) => 'sk-' + 'ant-' + 'api03-' + a(URLSAFE, 93) + 'AA'],
  ['huggingface-token', (a) => 'hf' + '_' + a(UP + LOW, 34)],
  ['groq-api-key', (a) => 'gs' + 'k_' + a(AN, 52)],
  ['sendgrid-api-key', (a) => 'S' + 'G.' + a(URLSAFE, 22) + '.' + a(URLSAFE, 43)],
  ['slack-app-token', (a) => 'xa' + 'pp-1-' + a(UP + DIG, 11) + '-' + a(DIG, 13) + '-' + a(HEX, 64)],
  ['discord-webhook', (a) => 'https://' + 'discord.com/api/webhooks/' + a(DIG, 18) + '/' + a(URLSAFE, 68)],
  ['telegram-bot-token', (a) => a(DIG, 10) + ':A' + 'A' + a(URLSAFE, 33)],
  ['mailchimp-api-key', (a) => a(HEX, 32) + '-us' + '14'],
  ['stripe-webhook-secret', (a) => 'wh' + 'sec_' + a(AN, 32)],
  ['square-access-token', (a) => 'sq0' + 'atp-' + a(URLSAFE, 22)],
  ['square-oauth-secret', (a) => 'sq0' + 'csp-' + a(URLSAFE, 43)],
  ['braintree-access-token', (a) => 'access_token$' + 'production$' + a(LOW + DIG, 16) + '$' + a(HEX, 32)],
  ['shopify-token', (a) => 'sh' + 'pat_' + a(HEX, 32)],
  ['bitbucket-app-password', (a) => 'AT' + 'BB' + a(AN, 32)],
  ['atlassian-api-token', (a) => 'ATA' + 'TT3' + a(URLSAFE, 186)],
  ['circleci-token', (a) => 'CCI' + 'PAT_' + a(AN, 22) + '_' + a(HEX, 40)],
  ['buildkite-token', (a) => 'bk' + 'ua_' + a(LOW + DIG, 40)],
  ['heroku-api-key', (a) => 'HR' + 'KU-' + a(URLSAFE, 60)],
  ['terraform-cloud-token', (a) => a(AN, 14) + '.atlas' + 'v1.' + a(URLSAFE, 67)],
  ['pulumi-token', (a) => 'pu' + 'l-' + a(HEX, 40)],
  ['digitalocean-token', (a) => 'do' + 'p_v1_' + a(HEX, 64)],
  ['alibaba-access-key-id', (a) => 'LT' + 'AI' + a(AN, 20)],
  ['azure-storage-key', (a) => 'DefaultEndpointsProtocol=https;AccountName=app;Account' + 'Key=' + a(AN + '+/', 86) + '=='],
  ['google-oauth-secret', (a) => 'GOC' + 'SPX-' + a(URLSAFE, 28)],
  ['databricks-token', (a) => 'da' + 'pi' + a(HEX, 32)],
  ['planetscale-token', (a) => 'psc' + 'ale_tkn_' + a(URLSAFE, 43)],
  ['supabase-token', (a) => 'sb' + 'p_' + a(HEX, 40)],
  ['pypi-token', (a) => 'py' + 'pi-AgEIcHlwaS5vcmc' + a(URLSAFE, 120)],
  ['rubygems-token', (a) => 'ruby' + 'gems_' + a(HEX, 48)],
  ['docker-hub-token', (a) => 'dckr' + '_pat_' + a(URLSAFE, 27)],
  ['grafana-token', (a) => 'gl' + 'sa_' + a(AN, 32) + '_' + a(HEX, 8)],
  ['sentry-token', (a) => 'snt' + 'ryu_' + a(HEX, 64)],
  ['newrelic-key', (a) => 'NR' + 'AK-' + a(UP + DIG, 27)],
  ['doppler-token', (a) => 'd' + 'p.pt.' + a(AN, 43)],
  ['age-secret-key', (a) => 'AGE-SECRET' + '-KEY-1' + a(UP + DIG, 58)],
  ['kubeconfig-client-key', (a) => 'LS0tLS1CRUdJTi' + a(AN + '+/', 200) + '=='],
];

const token = (id: string, seed: number): string => {
  const r = rng(seed);
  return FORMATS.find(([f]) => f === id)![1]((alpha, n) => randomOf(r, alpha, n));
};
const line = (id: string, t: string): string => (id === 'kubeconfig-client-key' ? `    client-key-data: ${t}` : `export CREDENTIAL_VALUE="${t}"`);

describe('provider formats', () => {
  it('covers every provider rule', () => {
    expect(PROVIDER_RULES.map((r) => r.id).sort()).toEqual(FORMATS.map(([id]) => id).sort());
  });

  it.each(FORMATS.map(([id]) => [id]))('%s is found under its own rule id', (id) => {
    const t = token(id, 11);
    const hits = matchText(line(id, t)).filter((m) => m.ruleId !== 'generic-secret');
    expect(hits.map((m) => m.ruleId)).toEqual([id]);
    expect(t).toContain(hits[0]!.secret);
  });

  it.each(FORMATS.filter(([id]) => !['kubeconfig-client-key', 'azure-storage-key'].includes(id)).map(([id]) => [id]))('%s with a word character glued in front is not that token', (id) => {
    const t = token(id, 12);
    expect(matchText(`x${t}`).map((m) => m.ruleId)).not.toContain(id);
  });

  it.each(['sk-proj-your-key-here', 'SG.xxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'hf_' + 'x'.repeat(34)])('placeholder %s is quiet', (t) => {
    expect(matchText(`TOKEN_EXAMPLE=${t}`)).toEqual([]);
  });
});
