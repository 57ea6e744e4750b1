/**
 * Provider formats of cloud providers, databases and data platforms, and Kubernetes: a
 * fixed prefix and a body of known alphabet and length (provider-rule-kit.ts).
 */
import type { Rule } from './rule';
import { anyOf, prefixed, rule } from './provider-rule-kit';

export const CLOUD_RULES: readonly Rule[] = [
  // Cloud providers
  rule('digitalocean-token', 'DigitalOcean token', 'critical', /(?<![A-Za-z0-9_])(do[opr]_v1_[a-f0-9]{64})(?![A-Za-z0-9_-])/g,
    { marker: '_v1_', back: { chars: /[dopr]/, min: 3, max: 3 } }),
  prefixed('alibaba-access-key-id', 'Alibaba Cloud AccessKey id', 'high', 'LTAI', '[A-Za-z0-9]{12,20}'),
  rule('azure-storage-key', 'Azure storage account key', 'critical', /AccountKey=([A-Za-z0-9+/]{86}==)(?![A-Za-z0-9+/=])/g, { marker: 'AccountKey=' }),
  prefixed('google-oauth-secret', 'Google OAuth client secret', 'critical', 'GOCSPX-', '[A-Za-z0-9_-]{28}'),
  prefixed('aws-bedrock-api-key', 'Amazon Bedrock API key (long-lived)', 'critical', 'ABSK', '[A-Za-z0-9+/]{109,269}={0,2}'),
  // The prefix is split so that this file (and the image's compiled copy) does not hold a match of its own rule.
  prefixed('aws-bedrock-short-key', 'Amazon Bedrock API key (short-lived)', 'high', 'bedrock-api-key-' + 'YmVkcm9jay5hbWF6b25hd3MuY29t', '[A-Za-z0-9+/=%_-]{0,8192}'),
  prefixed('cloudflare-origin-ca-key', 'Cloudflare Origin CA key', 'critical', 'v1.0-', '[a-f0-9]{24}-[a-f0-9]{146}'),
  anyOf('flyio-token', 'Fly.io access token', 'critical', ['fo1_', 'fm1a_', 'fm1r_', 'fm2_'], '[A-Za-z0-9_+/-]{43,4096}={0,3}'),
  prefixed('scalingo-api-token', 'Scalingo API token', 'critical', 'tk-us-', '[A-Za-z0-9_-]{48}'),
  prefixed('openshift-user-token', 'OpenShift user token', 'critical', 'sha256~', '[A-Za-z0-9_-]{43}'),
  prefixed('adobe-client-secret', 'Adobe client secret', 'high', 'p8e-', '[A-Za-z0-9]{32}'),
  anyOf('authress-access-key', 'Authress service client access key', 'critical', ['sc_', 'ext_', 'scauth_', 'authress_'],
    '[A-Za-z0-9]{5,30}\\.[A-Za-z0-9]{4,6}\\.acc[_-][A-Za-z0-9-]{10,32}\\.[A-Za-z0-9+/_=-]{30,120}'),
  // Databases and data platforms
  prefixed('databricks-token', 'Databricks access token', 'critical', 'dapi', '[0-9a-f]{32}(?:-\\d)?'),
  prefixed('planetscale-token', 'PlanetScale token or password', 'critical', 'pscale_', '(?:tkn|pw|oauth)_[A-Za-z0-9_.-]{32,64}'),
  prefixed('supabase-token', 'Supabase access token', 'critical', 'sbp_', '[a-f0-9]{40}'),
  prefixed('clickhouse-api-secret', 'ClickHouse Cloud API secret key', 'critical', '4b1d', '[A-Za-z0-9]{38}'),
  // Kubernetes: a kubeconfig's embedded client key is a base64 PEM block.
  rule('kubeconfig-client-key', 'Kubeconfig client key', 'critical', /client-key-data["']?\s{0,64}:\s{0,64}["']?(LS0tLS1CRUdJTi[A-Za-z0-9+/=]{100,16000})/g,
    { marker: 'client-key-data' }),
];
