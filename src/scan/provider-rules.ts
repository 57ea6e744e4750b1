/**
 * Provider token formats: cloud providers, CI and code hosts, payment, messaging and
 * mail, AI APIs, databases, package registries, Kubernetes and secret managers. Each is
 * written from the provider's published token shape: a fixed prefix (or marker) and a
 * body of known alphabet and length. Every pattern starts with a literal, has bounded
 * quantifiers only and no nesting, so it is linear in its input (docs/scanner.md).
 */
import type { Rule } from './rule';
import { anyOf, prefixed, rule } from './provider-rule-kit';
import { DEV_RULES } from './provider-rules-dev';
import { CLOUD_RULES } from './provider-rules-cloud';

/** Provider formats, reported under one rule id each. */
export const PROVIDER_RULES: readonly Rule[] = [
  // AI APIs
  prefixed('openai-api-key', 'OpenAI API key', 'high', 'sk-', '(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{16,200}T3BlbkFJ[A-Za-z0-9_-]{16,200}'),
  prefixed('anthropic-api-key', 'Anthropic API key', 'high', 'sk-ant-', '(?:api|admin)\\d{2}-[A-Za-z0-9_-]{80,120}'),
  prefixed('huggingface-token', 'Hugging Face access token', 'high', 'hf_', '[A-Za-z]{34}'),
  prefixed('huggingface-org-token', 'Hugging Face organization API token', 'high', 'api_org_', '[A-Za-z]{34}'),
  prefixed('groq-api-key', 'Groq API key', 'high', 'gsk_', '[A-Za-z0-9]{52}'),
  prefixed('perplexity-api-key', 'Perplexity API key', 'high', 'pplx-', '[A-Za-z0-9]{48}'),
  // Messaging and mail
  prefixed('sendgrid-api-key', 'SendGrid API key', 'high', 'SG.', '(?:[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}|[A-Za-z0-9=_.-]{66})'),
  prefixed('sendinblue-api-key', 'Brevo (Sendinblue) API key', 'high', 'xkeysib-', '[a-f0-9]{64}-[A-Za-z0-9]{16}'),
  prefixed('slack-app-token', 'Slack app-level token', 'high', 'xapp-', '\\d-[A-Z0-9]{8,32}-\\d{8,32}-[A-Za-z0-9]{16,128}'),
  prefixed('discord-webhook', 'Discord webhook URL', 'high', 'https://discord', '(?:app)?\\.com/api/webhooks/\\d{17,20}/[A-Za-z0-9_-]{60,68}'),
  rule('telegram-bot-token', 'Telegram bot token', 'high', /(?<![A-Za-z0-9_])(\d{8,10}:AA[A-Za-z0-9_-]{33})(?![A-Za-z0-9_-])/g,
    { marker: ':AA', back: { chars: /\d/, min: 8, max: 10 } }),
  rule('mailchimp-api-key', 'Mailchimp API key', 'high', /(?<![A-Za-z0-9])([0-9a-f]{32}-us\d{1,2})(?![A-Za-z0-9])/g,
    { marker: '-us', back: { chars: /[0-9a-f]/, min: 32, max: 32 } }),
  // Payment and commerce
  prefixed('stripe-webhook-secret', 'Stripe webhook signing secret', 'critical', 'whsec_', '[A-Za-z0-9]{32,64}'),
  anyOf('square-access-token', 'Square access token', 'critical', ['sq0atp-', 'EAAA'], '[A-Za-z0-9_-]{22,60}'),
  prefixed('square-oauth-secret', 'Square OAuth secret', 'critical', 'sq0csp-', '[A-Za-z0-9_-]{43}'),
  prefixed('braintree-access-token', 'Braintree access token', 'critical', 'access_token$production$', '[0-9a-z]{16}\\$[0-9a-f]{32}'),
  prefixed('shopify-token', 'Shopify access token or shared secret', 'critical', 'shp', '(?:at|ss|ca|pa)_[a-fA-F0-9]{32}'),
  prefixed('flutterwave-secret-key', 'Flutterwave secret or public key', 'critical', 'FLW', '(?:SECK|PUBK)_TEST-[a-hA-H0-9]{32}-X'),
  prefixed('flutterwave-encryption-key', 'Flutterwave encryption key', 'critical', 'FLWSECK_TEST-', '[a-hA-H0-9]{12}'),
  prefixed('duffel-api-token', 'Duffel API token', 'critical', 'duffel_', '(?:test|live)_[A-Za-z0-9_=-]{43}'),
  prefixed('shippo-api-token', 'Shippo API token', 'critical', 'shippo_', '(?:live|test)_[a-fA-F0-9]{40}'),
  anyOf('easypost-api-key', 'EasyPost API key', 'critical', ['EZAK', 'EZTK'], '[A-Za-z0-9]{54}'),
  prefixed('facebook-page-token', 'Facebook page access token', 'high', 'EAA', '[MC][A-Za-z0-9]{100,1000}'),
  ...DEV_RULES,
  ...CLOUD_RULES,
];
