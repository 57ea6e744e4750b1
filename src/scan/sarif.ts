/**
 * SARIF 2.1.0 output for code scanning: every rule declared, one result per finding
 * with its file and line, the image layer named, and only the redacted secret.
 */
import type { Finding } from './finding';
import { ALL_RULE_INFO } from './rules';
import type { ScanReport } from './run';
import type { Severity } from './severity';

const LEVEL: Record<Severity, 'note' | 'warning' | 'error'> = { low: 'note', medium: 'warning', high: 'error', critical: 'error' };
/** GitHub's security-severity scale (0.1 to 10). */
const SECURITY_SEVERITY: Record<Severity, string> = { low: '3.0', medium: '5.5', high: '8.0', critical: '9.5' };

const HELP =
  'Remove the secret from the file or image, rotate it (it must be treated as leaked), and deliver it at runtime with the secrets-broker sidecar; at build time use RUN --mount=type=secret. Accept a finding only with a reason in .secrets-broker-ignore.';

function uri(file: string): string {
  return file.split('\\').join('/').replace(/^\.\//, '').split('/').map(encodeURIComponent).join('/');
}

function message(f: Finding): string {
  const i = f.image;
  let where = '';
  if (i?.config !== undefined) where = ` in the image config (${i.config})`;
  else if (i?.path !== undefined) where = ` in ${i.path}${i.layer === undefined ? '' : `, layer ${i.layer} (${i.layerDigest ?? '?'})`}`;
  const deleted = i?.deletedInLayer === undefined ? '' : `; deleted in layer ${i.deletedInLayer} but still in the image`;
  return `${f.title}${where}: ${f.redacted}${deleted}.${f.advice ? ' ' + f.advice : ''}`;
}

function result(f: Finding, ruleIndex: number): Record<string, unknown> {
  const inner = f.image === undefined;
  const region = inner && f.line !== undefined && f.line > 0 ? { region: { startLine: f.line, startColumn: f.column ?? 1 } } : {};
  const physicalLocation = { artifactLocation: { uri: uri(f.file), uriBaseId: '%SRCROOT%' }, ...region };
  const logical = f.image ? { logicalLocations: [{ name: f.image.config ?? f.image.path ?? 'image', fullyQualifiedName: `${f.image.layer === undefined ? '' : `layer ${f.image.layer}/`}${f.image.config ?? f.image.path ?? ''}`, kind: 'resource' }] } : {};
  return {
    ruleId: f.ruleId,
    ruleIndex,
    level: LEVEL[f.severity],
    message: { text: message(f) },
    locations: [{ physicalLocation, ...logical }],
    partialFingerprints: { 'secretFingerprint/v1': f.fingerprint },
    properties: { severity: f.severity, redacted: f.redacted, ...(f.image ? { image: { ...f.image, line: f.line } } : {}) },
  };
}

/** The report as a SARIF 2.1.0 log. */
export function toSarif(r: ScanReport, version: string): Record<string, unknown> {
  const rules = ALL_RULE_INFO.map((rule) => ({
    id: rule.id,
    name: rule.id.replace(/(^|-)([a-z])/g, (_m, _d: string, c: string) => c.toUpperCase()),
    shortDescription: { text: rule.title },
    fullDescription: { text: `${rule.title}. Default severity: ${rule.severity}.` },
    help: { text: HELP },
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: { tags: ['security', 'secret'], 'security-severity': SECURITY_SEVERITY[rule.severity] },
  }));
  const index = new Map(ALL_RULE_INFO.map((rule, i) => [rule.id, i]));
  return {
    $schema: 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'secrets-broker', semanticVersion: version, version, rules } },
        results: r.findings.map((f) => result(f, index.get(f.ruleId) ?? -1)),
        invocations: [{ executionSuccessful: r.problems.length === 0, toolExecutionNotifications: r.problems.map((p) => ({ level: 'error', message: { text: p } })) }],
        columnKind: 'unicodeCodePoints',
      },
    ],
  };
}

/** SARIF as text. */
export function formatSarif(r: ScanReport, version: string): string {
  return `${JSON.stringify(toSarif(r, version), null, 2)}\n`;
}
