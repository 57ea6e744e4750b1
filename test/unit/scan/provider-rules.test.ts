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
  ['huggingface-org-token', (a) => 'api' + '_org_' + a(UP + LOW, 34)],
  ['perplexity-api-key', (a) => 'pp' + 'lx-' + a(AN, 48)],
  ['sendinblue-api-key', (a) => 'xkey' + 'sib-' + a(HEX, 64) + '-' + a(AN, 16)],
  ['flutterwave-secret-key', (a) => 'FLW' + 'SECK_TEST-' + a('abcdefgh0123456789', 32) + '-X'],
  ['flutterwave-encryption-key', (a) => 'FLW' + 'SECK_TEST-' + a('abcdefgh0123456789', 12)],
  ['duffel-api-token', (a) => 'duf' + 'fel_live_' + a(AN, 43)],
  ['shippo-api-token', (a) => 'ship' + 'po_live_' + a(HEX, 40)],
  ['easypost-api-key', (a) => 'EZ' + 'AK' + a(AN, 54)],
  ['facebook-page-token', (a) => 'EA' + 'AC' + a(AN, 120)],
  ['gitlab-runner-registration-token', (a) => 'GR' + '1348941' + a(URLSAFE, 20)],
  ['gitlab-session-cookie', (a) => '_gitlab' + '_session=' + a(LOW + DIG, 32)],
  ['harness-api-key', (a) => 'pa' + 't.' + a(URLSAFE, 22) + '.' + a(AN, 24) + '.' + a(AN, 20)],
  ['octopus-deploy-api-key', (a) => 'AP' + 'I-' + a(UP + DIG, 26)],
  ['sourcegraph-token', (a) => 'sg' + 'p_' + a(HEX, 16) + '_' + a(HEX, 40)],
  ['linear-api-key', (a) => 'lin' + '_api_' + a(AN, 40)],
  ['notion-api-token', (a) => 'nt' + 'n_' + a(DIG, 11) + a(AN, 35)],
  ['readme-api-token', (a) => 'rd' + 'me_' + a(LOW + DIG, 70)],
  ['postman-api-key', (a) => 'PM' + 'AK-' + a(HEX, 24) + '-' + a(HEX, 34)],
  ['prefect-api-key', (a) => 'pn' + 'u_' + a(AN, 36)],
  ['infracost-api-token', (a) => 'ic' + 'o-' + a(AN, 32)],
  ['frameio-api-token', (a) => 'fio' + '-u-' + a(AN, 64)],
  ['intra42-client-secret', (a) => 's-s4' + 't2ud-' + a(HEX, 64)],
  ['settlemint-token', (a) => 'sm' + '_pat_' + a(AN, 16)],
  ['clojars-token', (a) => 'CLO' + 'JARS_' + a(LOW + DIG, 60)],
  ['artifactory-api-key', (a) => 'AK' + 'Cp' + a(AN, 69)],
  ['artifactory-reference-token', (a) => 'cmV' + 'md' + a(AN, 59)],
  ['grafana-cloud-token', (a) => 'gl' + 'c_' + a(AN, 48) + '=='],
  ['grafana-api-key', (a) => 'eyJr' + 'Ijoi' + a(AN, 80)],
  ['sentry-org-token', (a) => 'sntr' + 'ys_eyJpYXQiO' + a(AN, 120) + '_' + a(AN, 43)],
  ['dynatrace-api-token', (a) => 'dt0' + 'c01.' + a(UP + DIG, 24) + '.' + a(AN, 64)],
  ['onepassword-secret-key', (a) => 'A' + '3-' + a(UP + DIG, 6) + '-' + a(UP + DIG, 11) + '-' + a(UP + DIG, 5) + '-' + a(UP + DIG, 5) + '-' + a(UP + DIG, 5)],
  ['onepassword-service-token', (a) => 'op' + 's_eyJ' + a(AN + '+/', 300)],
  ['maxmind-license-key', (a) => a(AN, 6) + '_' + a(AN, 29) + '_m' + 'mk'],
  ['jwt-base64', (a) => 'ZXl' + 'KaGJHY2lPaU' + a(AN, 80)],
  ['aws-bedrock-api-key', (a) => 'AB' + 'SK' + a(AN + '+/', 132)],
  ['aws-bedrock-short-key', (a) => 'bedrock' + '-api-key-' + Buffer.from('bedrock.amazonaws.com').toString('base64') + a(AN, 200)],
  ['cloudflare-origin-ca-key', (a) => 'v1' + '.0-' + a(HEX, 24) + '-' + a(HEX, 146)],
  ['flyio-token', (a) => 'fm' + '2_' + a(AN + '+/', 120) + '='],
  ['scalingo-api-token', (a) => 'tk' + '-us-' + a(URLSAFE, 48)],
  ['openshift-user-token', (a) => 'sha' + '256~' + a(URLSAFE, 43)],
  ['adobe-client-secret', (a) => 'p8' + 'e-' + a(AN, 32)],
  ['authress-access-key', (a) => 'sc' + '_' + a(LOW + DIG, 10) + '.' + a(LOW + DIG, 5) + '.acc_' + a(LOW + DIG, 20) + '.' + a(AN + '+/', 60)],
  ['clickhouse-api-secret', (a) => '4b' + '1d' + a(AN, 38)],
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
