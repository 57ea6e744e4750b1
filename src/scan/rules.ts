import { findPemBlocks, PEM_HEADER } from './pem';
import { PROVIDER_RULES } from './provider-rules';
import type { Anchor, Rule } from './rule';
import type { Severity } from './severity';
import { connectionPasswordOk, headerCredentialOk } from './doc-values';
import { entropy, isPlaceholder } from './values';

export type { Rule } from './rule';

const notPlaceholder = (s: string): boolean => !isPlaceholder(s);

/** Anchors: exact literals, or literals in any ASCII case. */
const lit = (...markers: string[]): Anchor[] => markers.map((marker) => ({ marker }));
const caseless = (...markers: string[]): Anchor[] => markers.map((marker) => ({ marker, caseless: true }));

function jwtHeaderOk(token: string): boolean {
  const head = token.split('.')[0] ?? '';
  try {
    const json = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as unknown;
    return typeof json === 'object' && json !== null && 'alg' in json;
  } catch {
    return false;
  }
}

function dockerAuthOk(b64: string): boolean {
  const decoded = Buffer.from(b64, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i > 0 && i < decoded.length - 1 && /^[\x20-\x7e]+$/.test(decoded) && notPlaceholder(decoded.slice(i + 1));
}

function legacyVaultOk(token: string): boolean {
  const body = token.slice(2);
  return /[a-z]/.test(body) && /[A-Z]/.test(body) && /\d/.test(body) && entropy(body) >= 3.5;
}

/**
 * Well-known credential formats, most specific first. Every pattern is linear in its
 * input (docs/scanner.md): bounded quantifiers only, a literal or rare start, no nesting.
 */
export const KNOWN_RULES: readonly Rule[] = [
  { id: 'aws-access-key-id', title: 'AWS access key id', severity: 'critical',
    pattern: /((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)(?<![A-Z0-9]....)[A-Z2-7]{16})(?![A-Z0-9])/g, group: 1, anchors: lit('A3T', 'AKIA', 'ASIA', 'ABIA', 'ACCA'), accept: notPlaceholder },
  { id: 'aws-secret-access-key', title: 'AWS secret access key', severity: 'critical',
    pattern: /(?:aws_secret_access_key|AWS_SECRET_ACCESS_KEY|SecretAccessKey|secretAccessKey)["']?\s{0,64}[:=]\s{0,64}["']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/g, group: 1, anchors: caseless('aws_secret_access_key', 'secretaccesskey'), accept: notPlaceholder },
  { id: 'github-token', title: 'GitHub token', severity: 'critical',
    pattern: /((?:gh[pousr]_(?<![A-Za-z0-9_]....)[A-Za-z0-9]{36,251}|github_pat_(?<![A-Za-z0-9_]github_pat_)[A-Za-z0-9_]{82}))(?![A-Za-z0-9_])/g, group: 1, anchors: lit('ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'), accept: notPlaceholder },
  { id: 'gitlab-token', title: 'GitLab token', severity: 'critical',
    pattern: /(?<![A-Za-z0-9_-])(gl(?:pat|ptt|dt|rt|cbt|oas|ffct|ft|imt|agent|soat)-[A-Za-z0-9_-]{20,300}(?:\.[0-9a-z]{9})?)(?![A-Za-z0-9_-])/g, group: 1,
    anchors: lit('glpat-', 'glptt-', 'gldt-', 'glrt-', 'glcbt-', 'gloas-', 'glffct-', 'glft-', 'glimt-', 'glagent-', 'glsoat-'), accept: notPlaceholder },
  { id: 'slack-token', title: 'Slack token', severity: 'high',
    pattern: /(?<![A-Za-z0-9])(xox[baprseo]-[A-Za-z0-9-]{10,250})(?![A-Za-z0-9-])/g, group: 1, anchors: lit('xoxb-', 'xoxa-', 'xoxp-', 'xoxr-', 'xoxs-', 'xoxe-', 'xoxo-'), accept: notPlaceholder },
  { id: 'slack-webhook', title: 'Slack incoming webhook URL', severity: 'high',
    pattern: /(https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9+/_-]{20,120})/g, group: 1, anchors: lit('https://hooks.slack.com/'), accept: notPlaceholder },
  { id: 'stripe-live-key', title: 'Stripe live secret or restricted key', severity: 'critical',
    pattern: /((?:sk|rk)_live_(?<![A-Za-z0-9]......._)[A-Za-z0-9]{20,247})(?![A-Za-z0-9])/g, group: 1, anchors: lit('sk_live_', 'rk_live_'), accept: notPlaceholder },
  { id: 'stripe-test-key', title: 'Stripe test secret key', severity: 'low',
    pattern: /((?:sk|rk)_test_(?<![A-Za-z0-9]......._)[A-Za-z0-9]{20,247})(?![A-Za-z0-9])/g, group: 1, anchors: lit('sk_test_', 'rk_test_'), accept: notPlaceholder },
  { id: 'google-api-key', title: 'Google API key', severity: 'high',
    pattern: /(AIza(?<![A-Za-z0-9_-]AIza)[0-9A-Za-z_-]{35})(?![A-Za-z0-9_-])/g, group: 1, anchors: lit('AIza'), accept: notPlaceholder },
  { id: 'private-key', title: 'Private key (PEM or OpenSSH)', severity: 'critical',
    pattern: PEM_HEADER, group: 0, anchors: lit(`${'-'.repeat(5)}BEGIN`), find: findPemBlocks, accept: (s) => /[A-Za-z0-9+/]{40,}/.test(s) && notPlaceholder(s.replace(/\.\.\./g, '')) },
  { id: 'vault-token', title: 'Vault token', severity: 'critical',
    pattern: /(hv[sbr]\.(?<![A-Za-z0-9_.-]....)[A-Za-z0-9_-]{24,512})(?![A-Za-z0-9_-])/g, group: 1, anchors: lit('hvs.', 'hvb.', 'hvr.'), accept: notPlaceholder },
  { id: 'vault-token-legacy', title: 'Vault token (legacy s. form)', severity: 'high',
    pattern: /(?<![A-Za-z0-9_.$-])(s\.[A-Za-z0-9]{24})(?![A-Za-z0-9_.-])/g, group: 1, anchors: [{ marker: 's.', notAfter: /[A-Za-z0-9_.$-]/ }], accept: legacyVaultOk },
  { id: 'npm-token', title: 'npm access token', severity: 'critical',
    pattern: /(npm_(?<![A-Za-z0-9_]npm_)[A-Za-z0-9]{36})(?![A-Za-z0-9])/g, group: 1, anchors: lit('npm_'), accept: notPlaceholder },
  { id: 'npmrc-auth', title: '.npmrc registry credential', severity: 'critical',
    pattern: /:(?:_authToken|_auth|_password)\s{0,64}=\s{0,64}["']?([^\s"'$][^\s"']{7,511})/g, group: 1, anchors: lit(':_auth', ':_password'), accept: notPlaceholder },
  { id: 'jwt', title: 'JSON Web Token', severity: 'high',
    pattern: /(eyJ(?<![A-Za-z0-9_-]eyJ)[A-Za-z0-9_-]{8,8192}\.eyJ[A-Za-z0-9_-]{8,16384}\.[A-Za-z0-9_-]{16,2048})(?![A-Za-z0-9_-])/g, group: 1, anchors: lit('eyJ'), accept: jwtHeaderOk },
  { id: 'docker-config-auth', title: 'Docker config registry auth', severity: 'high',
    pattern: /"auth"\s{0,64}:\s{0,64}"([A-Za-z0-9+/]{8,8192}={0,2})"/g, group: 1, anchors: lit('"auth"'), accept: dockerAuthOk },
  { id: 'connection-string-password', title: 'Connection string with a password', severity: 'high',
    pattern: /:\/\/[^\s:/@'"`<>]{1,128}:([^\s:/@'"`<>]{3,256})@(?=([A-Za-z0-9[][A-Za-z0-9.:\]-]{0,253}))/g, group: 1, anchors: lit('://'),
    accept: (password, groups) => connectionPasswordOk(password, groups[2]) },
  { id: 'authorization-header', title: 'Credential in an Authorization header', severity: 'high',
    pattern: /[Aa]uthorization["']?\s{0,64}[:=]\s{0,64}["']?(Bearer|Basic|token|Token|Bot)\s{1,64}([A-Za-z0-9._~+/=-]{8,8192})/g, group: 2, anchors: caseless('authorization'),
    accept: (credential, groups) => headerCredentialOk(groups[1], credential) },
  ...PROVIDER_RULES,
];

/** Looks up a rule by id among the known, generic and Dockerfile rules. */
export function ruleTitle(id: string): string {
  return ALL_RULE_INFO.find((r) => r.id === id)?.title ?? id;
}

/** Id, title, severity and advice of every rule the scanner can report, for SARIF and the docs. */
export interface RuleInfo {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
}

/** Rules reported outside KNOWN_RULES: the entropy-gated generic one and the Dockerfile and image ones. */
export const EXTRA_RULES: readonly RuleInfo[] = [
  { id: 'generic-secret', title: 'High-entropy value assigned to a secret-like name', severity: 'medium' },
  { id: 'dockerfile-secret-env', title: 'Dockerfile ENV sets a secret literally', severity: 'high' },
  { id: 'dockerfile-secret-arg', title: 'Dockerfile ARG gives a secret a default value', severity: 'high' },
  { id: 'dockerfile-secret-build-arg', title: 'Secret passed as a build argument (kept in image history)', severity: 'medium' },
  { id: 'dockerfile-copy-secret-file', title: 'Dockerfile COPY/ADD of a key or credentials file', severity: 'high' },
  { id: 'dockerfile-run-credential', title: 'Credential on a Dockerfile RUN line', severity: 'high' },
  { id: 'image-history-secret', title: 'Image history records a secret build argument or ENV value', severity: 'high' },
  { id: 'image-env-secret', title: 'Image config Env holds a secret', severity: 'high' },
  { id: 'key-store-file', title: 'Key store or credentials file in the scanned content', severity: 'medium' },
];

/** Every rule the scanner can report. */
export const ALL_RULE_INFO: readonly RuleInfo[] = [...KNOWN_RULES, ...EXTRA_RULES];
