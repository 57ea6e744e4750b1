/**
 * Provider token formats: cloud providers, CI and code hosts, payment, messaging and
 * mail, AI APIs, databases, package registries, Kubernetes and secret managers. Each is
 * written from the provider's published token shape: a fixed prefix (or marker) and a
 * body of known alphabet and length. Every pattern starts with a literal, has bounded
 * quantifiers only and no nesting, so it is linear in its input (docs/scanner.md).
 */
import type { Anchor, Rule } from './rule';
import type { Severity } from './severity';
import { isPlaceholder } from './values';

const notPlaceholder = (s: string): boolean => !isPlaceholder(s);

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function rule(id: string, title: string, severity: Severity, pattern: RegExp, anchor: Anchor): Rule {
  return { id, title, severity, pattern, group: 1, accept: notPlaceholder, anchors: [anchor] };
}

/**
 * A rule for `prefix` then `body` (regex source, bounded): not preceded by a token
 * character (checked after the literal, so a scan starts at the rare literal), and not
 * followed by one.
 */
function prefixed(id: string, title: string, severity: Severity, prefix: string, body: string): Rule {
  const p = escape(prefix);
  return rule(id, title, severity, new RegExp(`(${p}(?<![A-Za-z0-9_]${p})${body})(?![A-Za-z0-9_-])`, 'g'), { marker: prefix });
}

/** Provider formats, reported under one rule id each. */
export const PROVIDER_RULES: readonly Rule[] = [
  // AI APIs
  prefixed('openai-api-key', 'OpenAI API key', 'high', 'sk-', '(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{16,200}T3BlbkFJ[A-Za-z0-9_-]{16,200}'),
  prefixed('anthropic-api-key', 'Anthropic API key', 'high', 'sk-ant-', '(?:api|admin)\\d{2}-[A-Za-z0-9_-]{80,120}'),
  prefixed('huggingface-token', 'Hugging Face access token', 'high', 'hf_', '[A-Za-z]{34}'),
  prefixed('groq-api-key', 'Groq API key', 'high', 'gsk_', '[A-Za-z0-9]{52}'),
  // Messaging and mail
  prefixed('sendgrid-api-key', 'SendGrid API key', 'high', 'SG.', '[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}'),
  prefixed('slack-app-token', 'Slack app-level token', 'high', 'xapp-', '\\d-[A-Z0-9]{8,16}-\\d{8,16}-[a-f0-9]{64}'),
  prefixed('discord-webhook', 'Discord webhook URL', 'high', 'https://discord', '(?:app)?\\.com/api/webhooks/\\d{17,20}/[A-Za-z0-9_-]{60,68}'),
  rule('telegram-bot-token', 'Telegram bot token', 'high', /(?<![A-Za-z0-9_])(\d{8,10}:AA[A-Za-z0-9_-]{33})(?![A-Za-z0-9_-])/g,
    { marker: ':AA', back: { chars: /\d/, min: 8, max: 10 } }),
  rule('mailchimp-api-key', 'Mailchimp API key', 'high', /(?<![A-Za-z0-9])([0-9a-f]{32}-us\d{1,2})(?![A-Za-z0-9])/g,
    { marker: '-us', back: { chars: /[0-9a-f]/, min: 32, max: 32 } }),
  // Payment
  prefixed('stripe-webhook-secret', 'Stripe webhook signing secret', 'critical', 'whsec_', '[A-Za-z0-9]{32,64}'),
  prefixed('square-access-token', 'Square access token', 'critical', 'sq0atp-', '[A-Za-z0-9_-]{22}'),
  prefixed('square-oauth-secret', 'Square OAuth secret', 'critical', 'sq0csp-', '[A-Za-z0-9_-]{43}'),
  prefixed('braintree-access-token', 'Braintree access token', 'critical', 'access_token$production$', '[0-9a-z]{16}\\$[0-9a-f]{32}'),
  prefixed('shopify-token', 'Shopify access token or shared secret', 'critical', 'shp', '(?:at|ss|ca|pa)_[a-fA-F0-9]{32}'),
  // CI and code hosts
  prefixed('bitbucket-app-password', 'Bitbucket app password', 'critical', 'ATBB', '[A-Za-z0-9_=.-]{32}'),
  prefixed('atlassian-api-token', 'Atlassian API token', 'critical', 'ATATT3', '[A-Za-z0-9_=-]{180,200}'),
  prefixed('circleci-token', 'CircleCI personal token', 'critical', 'CCIPAT_', '[A-Za-z0-9]{22}_[0-9a-f]{40}'),
  prefixed('buildkite-token', 'Buildkite API token', 'critical', 'bkua_', '[a-z0-9]{40}'),
  prefixed('heroku-api-key', 'Heroku API key', 'critical', 'HRKU-', '[A-Za-z0-9_-]{60}'),
  rule('terraform-cloud-token', 'Terraform Cloud token', 'critical', /(?<![A-Za-z0-9])([A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70})(?![A-Za-z0-9_=-])/g,
    { marker: '.atlasv1.', back: { chars: /[A-Za-z0-9]/, min: 14, max: 14 } }),
  prefixed('pulumi-token', 'Pulumi access token', 'critical', 'pul-', '[0-9a-f]{40}'),
  // Cloud providers
  rule('digitalocean-token', 'DigitalOcean token', 'critical', /(?<![A-Za-z0-9_])(do[opr]_v1_[a-f0-9]{64})(?![A-Za-z0-9_-])/g,
    { marker: '_v1_', back: { chars: /[dopr]/, min: 3, max: 3 } }),
  prefixed('alibaba-access-key-id', 'Alibaba Cloud AccessKey id', 'high', 'LTAI', '[A-Za-z0-9]{12,20}'),
  rule('azure-storage-key', 'Azure storage account key', 'critical', /AccountKey=([A-Za-z0-9+/]{86}==)(?![A-Za-z0-9+/=])/g, { marker: 'AccountKey=' }),
  prefixed('google-oauth-secret', 'Google OAuth client secret', 'critical', 'GOCSPX-', '[A-Za-z0-9_-]{28}'),
  // Databases and data platforms
  prefixed('databricks-token', 'Databricks access token', 'critical', 'dapi', '[0-9a-f]{32}(?:-\\d)?'),
  prefixed('planetscale-token', 'PlanetScale token or password', 'critical', 'pscale_', '(?:tkn|pw|oauth)_[A-Za-z0-9_.-]{32,64}'),
  prefixed('supabase-token', 'Supabase access token', 'critical', 'sbp_', '[a-f0-9]{40}'),
  // Package registries
  prefixed('pypi-token', 'PyPI upload token', 'critical', 'pypi-AgEIcHlwaS5vcmc', '[A-Za-z0-9_-]{50,1000}'),
  prefixed('rubygems-token', 'RubyGems API key', 'critical', 'rubygems_', '[0-9a-f]{48}'),
  prefixed('docker-hub-token', 'Docker Hub access token', 'critical', 'dckr_pat_', '[A-Za-z0-9_-]{27}'),
  // Observability and secret managers
  prefixed('grafana-token', 'Grafana service account token', 'high', 'glsa_', '[A-Za-z0-9]{32}_[0-9a-f]{8}'),
  prefixed('sentry-token', 'Sentry user auth token', 'high', 'sntryu_', '[0-9a-f]{64}'),
  prefixed('newrelic-key', 'New Relic user API key', 'high', 'NRAK-', '[A-Z0-9]{27}'),
  prefixed('doppler-token', 'Doppler token', 'critical', 'dp.', '(?:pt|st|sa|ct|scim|audit)\\.[A-Za-z0-9]{40,44}'),
  prefixed('age-secret-key', 'age secret key', 'critical', 'AGE-SECRET-KEY-1', '[0-9A-Z]{58}'),
  // Kubernetes: a kubeconfig's embedded client key is a base64 PEM block.
  rule('kubeconfig-client-key', 'Kubeconfig client key', 'critical', /client-key-data["']?\s{0,64}:\s{0,64}["']?(LS0tLS1CRUdJTi[A-Za-z0-9+/=]{100,16000})/g,
    { marker: 'client-key-data' }),
];
