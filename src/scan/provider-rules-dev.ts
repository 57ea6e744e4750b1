/**
 * Provider formats of CI and code hosts, package registries, observability and secret
 * managers, and developer platforms: a fixed prefix and a body of known alphabet and
 * length (provider-rule-kit.ts).
 */
import type { Rule } from './rule';
import { anyOf, prefixed, rule } from './provider-rule-kit';

export const DEV_RULES: readonly Rule[] = [
  // CI and code hosts
  prefixed('gitlab-runner-registration-token', 'GitLab runner registration token', 'critical', 'GR1348941', '[A-Za-z0-9_-]{20,40}'),
  prefixed('gitlab-session-cookie', 'GitLab session cookie', 'high', '_gitlab_session=', '[0-9a-z]{32}'),
  prefixed('bitbucket-app-password', 'Bitbucket app password', 'critical', 'ATBB', '[A-Za-z0-9_=.-]{32}'),
  prefixed('atlassian-api-token', 'Atlassian API token', 'critical', 'ATATT3', '[A-Za-z0-9_=-]{180,200}'),
  prefixed('circleci-token', 'CircleCI personal token', 'critical', 'CCIPAT_', '[A-Za-z0-9]{22}_[0-9a-f]{40}'),
  prefixed('buildkite-token', 'Buildkite API token', 'critical', 'bkua_', '[a-z0-9]{40}'),
  prefixed('heroku-api-key', 'Heroku API key', 'critical', 'HRKU-', '[A-Za-z0-9_-]{60}'),
  rule('terraform-cloud-token', 'Terraform Cloud token', 'critical', /(?<![A-Za-z0-9])([A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70})(?![A-Za-z0-9_=-])/g,
    { marker: '.atlasv1.', back: { chars: /[A-Za-z0-9]/, min: 14, max: 14 } }),
  prefixed('pulumi-token', 'Pulumi access token', 'critical', 'pul-', '[0-9a-f]{40}'),
  anyOf('harness-api-key', 'Harness API key or token', 'critical', ['pat.', 'sat.'], '[A-Za-z0-9_-]{22}\\.[A-Za-z0-9]{24}\\.[A-Za-z0-9]{20}'),
  prefixed('octopus-deploy-api-key', 'Octopus Deploy API key', 'critical', 'API-', '[A-Z0-9]{26}'),
  prefixed('sourcegraph-token', 'Sourcegraph access token', 'critical', 'sgp_', '(?:[a-fA-F0-9]{16}_|local_)?[a-fA-F0-9]{40}'),
  prefixed('linear-api-key', 'Linear API key', 'high', 'lin_api_', '[A-Za-z0-9]{40}'),
  prefixed('notion-api-token', 'Notion API token', 'high', 'ntn_', '\\d{11}[A-Za-z0-9]{35}'),
  prefixed('readme-api-token', 'ReadMe API token', 'high', 'rdme_', '[a-z0-9]{70}'),
  prefixed('postman-api-key', 'Postman API key', 'high', 'PMAK-', '[a-fA-F0-9]{24}-[a-fA-F0-9]{34}'),
  prefixed('prefect-api-key', 'Prefect API key', 'high', 'pnu_', '[A-Za-z0-9]{36}'),
  prefixed('infracost-api-token', 'Infracost API token', 'high', 'ico-', '[A-Za-z0-9]{32}'),
  prefixed('frameio-api-token', 'Frame.io API token', 'high', 'fio-u-', '[A-Za-z0-9_=-]{64}'),
  prefixed('intra42-client-secret', '42 intra client secret', 'high', 's-s4t2', '(?:ud|af)-[a-fA-F0-9]{64}'),
  prefixed('settlemint-token', 'SettleMint access token', 'high', 'sm_', '(?:aat|pat|sat)_[A-Za-z0-9]{16}'),
  // Package registries
  prefixed('pypi-token', 'PyPI upload token', 'critical', 'pypi-AgEIcHlwaS5vcmc', '[A-Za-z0-9_-]{50,1000}'),
  prefixed('rubygems-token', 'RubyGems API key', 'critical', 'rubygems_', '[0-9a-f]{48}'),
  prefixed('docker-hub-token', 'Docker Hub access token', 'critical', 'dckr_pat_', '[A-Za-z0-9_-]{27}'),
  prefixed('clojars-token', 'Clojars deploy token', 'critical', 'CLOJARS_', '[A-Za-z0-9]{60}'),
  prefixed('artifactory-api-key', 'JFrog Artifactory API key', 'critical', 'AKCp', '[A-Za-z0-9]{69}'),
  prefixed('artifactory-reference-token', 'JFrog Artifactory reference token', 'critical', 'cmVmd', '[A-Za-z0-9]{59}'),
  // Observability and secret managers
  prefixed('grafana-token', 'Grafana service account token', 'high', 'glsa_', '[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}'),
  prefixed('grafana-cloud-token', 'Grafana Cloud API token', 'high', 'glc_', '[A-Za-z0-9+/]{32,400}={0,3}'),
  prefixed('grafana-api-key', 'Grafana API key (legacy)', 'high', 'eyJrIjoi', '[A-Za-z0-9]{70,400}={0,3}'),
  prefixed('sentry-token', 'Sentry user auth token', 'high', 'sntryu_', '[0-9a-f]{64}'),
  prefixed('sentry-org-token', 'Sentry organization auth token', 'high', 'sntrys_eyJpYXQiO', '[A-Za-z0-9+/]{20,400}={0,2}_[A-Za-z0-9+/]{43}'),
  prefixed('newrelic-key', 'New Relic user API key', 'high', 'NRAK-', '[A-Z0-9]{27}'),
  prefixed('dynatrace-api-token', 'Dynatrace API token', 'high', 'dt0c01.', '[A-Za-z0-9]{24}\\.[A-Za-z0-9]{64}'),
  prefixed('doppler-token', 'Doppler token', 'critical', 'dp.', '(?:pt|st|sa|ct|scim|audit)\\.[A-Za-z0-9]{40,44}'),
  prefixed('age-secret-key', 'age secret key', 'critical', 'AGE-SECRET-KEY-1', '[0-9A-Z]{58}'),
  prefixed('onepassword-secret-key', '1Password account secret key', 'critical', 'A3-', '[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}'),
  prefixed('onepassword-service-token', '1Password service account token', 'critical', 'ops_eyJ', '[A-Za-z0-9+/]{250,8192}={0,3}'),
  rule('maxmind-license-key', 'MaxMind license key', 'high', /(?<![A-Za-z0-9_])([A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk)(?![A-Za-z0-9_-])/g,
    { marker: '_mmk', back: { chars: /[A-Za-z0-9_]/, min: 36, max: 36 } }),
  prefixed('jwt-base64', 'Base64-encoded JSON Web Token', 'high', 'ZXlK', '(?:aGJHY2lPaU|MGVYQWlPaUp|cmFXUWlP|amRIa2lPaU|bGJtTWlPaU)[A-Za-z0-9+/_-]{40,16384}={0,2}'),
];
