/**
 * The inputs that froze the webhook and stalled the scanner, generated at growing sizes
 * (n, 2n, 4n). Each must come back with the right answer; the hand-written scans also
 * count their bounded-work steps, which must grow in proportion to the input.
 */
import { detectLiteral } from '../../../src/scan/detect';
import { analyseDockerfile, instructions } from '../../../src/scan/dockerfile';
import { analyseConfig, historyToDockerfile } from '../../../src/scan/image-config';
import { matchText } from '../../../src/scan/match';
import { findPemBlocks, PEM_BODY, type PemSteps } from '../../../src/scan/pem';
import { KNOWN_RULES } from '../../../src/scan/rules';
import { isPlaceholder, isShortRepeat } from '../../../src/scan/values';
import { plant } from '../../helpers/fake-secrets';

const SIZES = [50_000, 100_000, 200_000];
const fill = (unit: string, n: number): string => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
const DASHES = '-'.repeat(5);
const PEM_BEGIN = `${DASHES}BEGIN PRIV${'ATE KEY'}${DASHES}`;
/** The longest secret any rule can capture: a private-key block (header, body, footer). */
const LONGEST_SECRET = PEM_BODY.max + 2 * 160;

/** Where each rule starts matching: the text an attacker repeats to make it try again and again. */
const STARTS: Record<string, string> = {
  'aws-access-key-id': 'AK' + 'IA', 'aws-secret-access-key': 'aws_secret_access_key=', 'github-token': 'gh' + 'p_',
  'gitlab-token': 'gl' + 'pat-', 'slack-token': 'xo' + 'xb-', 'slack-webhook': 'https://hooks.' + 'slack.com/services/',
  'stripe-live-key': 'sk' + '_live_', 'stripe-test-key': 'sk' + '_test_', 'google-api-key': 'AI' + 'za', 'private-key': PEM_BEGIN,
  'vault-token': 'hv' + 's.', 'vault-token-legacy': 's.', 'npm-token': 'np' + 'm_', 'npmrc-auth': ':_auth=', jwt: 'ey' + 'J',
  'docker-config-auth': '"auth":"', 'connection-string-password': '://u:', 'authorization-header': 'Authorization: Bearer ',
  'generic-secret': 'key',
  'openai-api-key': 'sk-', 'anthropic-api-key': 'sk-' + 'ant-api03-', 'huggingface-token': 'hf_', 'groq-api-key': 'gsk_',
  'sendgrid-api-key': 'SG.', 'slack-app-token': 'xapp-1-', 'discord-webhook': 'https://discord.com/api/webhooks/1',
  'telegram-bot-token': '12345678:AA', 'mailchimp-api-key': '0123456789abcdef', 'stripe-webhook-secret': 'whsec_',
  'square-access-token': 'sq0atp-', 'square-oauth-secret': 'sq0csp-', 'braintree-access-token': 'access_token$production$',
  'shopify-token': 'shpat_', 'bitbucket-app-password': 'ATBB', 'atlassian-api-token': 'ATATT3', 'circleci-token': 'CCIPAT_',
  'buildkite-token': 'bkua_', 'heroku-api-key': 'HRKU-', 'terraform-cloud-token': 'a1b2c3d4e5f6g7.atlasv1.', 'pulumi-token': 'pul-',
  'digitalocean-token': 'dop_v1_', 'alibaba-access-key-id': 'LTAI', 'azure-storage-key': 'AccountKey=', 'google-oauth-secret': 'GOCSPX-',
  'databricks-token': 'dapi', 'planetscale-token': 'pscale_tkn_', 'supabase-token': 'sbp_', 'pypi-token': 'pypi-AgEIcHlwaS5vcmc',
  'rubygems-token': 'rubygems_', 'docker-hub-token': 'dckr_pat_', 'grafana-token': 'glsa_', 'sentry-token': 'sntryu_',
  'newrelic-key': 'NRAK-', 'doppler-token': 'dp.pt.', 'age-secret-key': 'AGE-SECRET-KEY-1', 'kubeconfig-client-key': 'client-key-data: LS0tLS1CRUdJTi',
};

/** Adversarial families: the start repeated, the start then a long run it may scan, the start then a run with the separators it looks for. */
const FAMILIES: Array<[string, (start: string, n: number) => string]> = [
  ['start repeated', (s, n) => fill(s, n)],
  ['start then one long run', (s, n) => s + fill('a', n)],
  ['start then separators', (s, n) => s + fill('a1=:. -', n)],
  ['start and spaces', (s, n) => fill(`${s}  `, n)],
];

/** A rule's start: the one written above, or its first anchor (after the characters an inner marker needs before it). */
const startOf = (id: string): string => {
  const anchor = KNOWN_RULES.find((r) => r.id === id)?.anchors[0];
  return STARTS[id] ?? `${'a1'.repeat(anchor?.back?.min ?? 0)}${anchor?.marker ?? ''}`;
};

describe('every rule over adversarial inputs', () => {
  it('has an anchor for every known rule', () => {
    expect(KNOWN_RULES.filter((r) => r.anchors.length === 0).map((r) => r.id)).toEqual([]);
  });

  const cases = KNOWN_RULES.map((r) => r.id).flatMap((id) => FAMILIES.map(([family, make]) => [id, family, make] as const));
  it.each(cases)('%s, %s: at n, 2n, 4n the scan ends and every secret it reports is of bounded length', (id, _family, make) => {
    for (const n of SIZES) {
      const text = make(startOf(id), n);
      expect(matchText(text).filter((m) => m.secret.length > LONGEST_SECRET)).toEqual([]);
    }
  });
});

describe('the findings that froze the webhook and stalled the scanner', () => {
  it.each(SIZES.map((n) => [n * 1.5]))('a1 then %i "<" under a secret name is quiet, and the placeholder test does not rescan', (n) => {
    const value = 'a1' + '<'.repeat(n);
    expect(isPlaceholder(value)).toBe(false);
    expect(detectLiteral(value, 'API_TOKEN')).toBeUndefined();
  });

  it('repeated private-key headers: steps grow in proportion to the input, no key reported', () => {
    const steps = [250_000, 500_000, 1_000_000].map((n) => {
      const s: PemSteps = { attempts: 0 };
      expect(findPemBlocks(fill(PEM_BEGIN, n), s)).toEqual([]);
      return s.attempts;
    });
    expect(steps[1]).toBeLessThanOrEqual((steps[0] ?? 0) * 2 + 2);
    expect(steps[2]).toBeLessThanOrEqual((steps[0] ?? 0) * 4 + 4);
    expect(steps[2]).toBeLessThanOrEqual(1_000_000 / PEM_BEGIN.length + 2);
    expect(detectLiteral(fill(PEM_BEGIN, 1_000_000))).toBeUndefined();
  });

  it('still finds a key after many stray headers, and one key per block', () => {
    const key = plant('private-key', 3);
    // Further than the longest body from the stray headers, so each key block stands alone.
    const text = `${fill(PEM_BEGIN, 100_000)}\n${fill('filler line\n', 40_000)}${key.text}\n${key.text}\n`;
    expect(findPemBlocks(text).map((b) => b.secret)).toEqual([key.text, key.text]);
  });

  it.each([100_000, 300_000])('a line of "key" %i characters long, no newline: no finding', (n) => {
    expect(matchText(fill('key', n))).toEqual([]);
    expect(analyseDockerfile(fill('key', n))).toEqual([]);
  });

  it.each([100_000, 300_000])('%i spaces in an image history entry: no finding', (n) => {
    expect(analyseConfig({ history: [{ created_by: ' '.repeat(n) }], config: { Env: [`A=${' '.repeat(n)}`] } })).toEqual([]);
    expect(historyToDockerfile(`${' '.repeat(n)}# buildkit`)).toBe('');
  });

  it('a generic secret after a long run of name characters is still found', () => {
    const g = plant('generic-secret', 5);
    expect(matchText(`${fill('key', 300_000)}\n${g.text}\n`).map((m) => m.secret)).toEqual([g.secret]);
  });

  it.each([
    ['build arguments', '|2 A=1 B=2 /bin/sh -c make', 'ARG A=1\nARG B=2\nRUN make'],
    ['RUN prefix', 'RUN |1 TOKEN=x /bin/sh -c make', 'ARG TOKEN=x\nRUN make'],
    ['no command', '|1 A=1 ', 'ARG A=1\nRUN '],
    ['a newline in the command', '|1 A=1 /bin/sh -c a\nb', '|1 A=1 /bin/sh -c a\nb'],
    ['nop ENV', '/bin/sh -c #(nop)  ENV X=1', 'ENV X=1'],
    ['buildkit suffix', 'RUN /bin/sh -c make # buildkit', 'RUN /bin/sh -c make'],
  ])('history %s reads as before', (_label, createdBy, expected) => {
    expect(historyToDockerfile(createdBy)).toBe(expected);
  });

  it.each([
    ['keyword and args', 'ENV A=1', [['ENV', 'A=1', 4]]],
    ['leading blanks', ' \trun  make', [['RUN', 'make', 7]]],
    ['CR line ends', 'FROM x\r\nRUN y\r', [['FROM', 'x', 5], ['RUN', 'y', 12]]],
    ['no args', 'FROM\nUSER app', [['USER', 'app', 10]]],
  ])('Dockerfile lines: %s', (_label, text, expected) => {
    expect(instructions(text).map((i) => [i.keyword, i.args, i.offset])).toEqual(expected);
  });

  it.each([
    ['aaaa', true], ['abcabc', true], ['ababab', true], ['abcdabcd', false], ['a', false], ['ab', false], ['aab', false],
  ])('isShortRepeat(%s) is %s', (v, expected) => {
    expect(isShortRepeat(v)).toBe(expected);
  });
});
