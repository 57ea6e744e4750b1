/**
 * Reports at scale and names from hostile content: 100,000+ findings merge without
 * spreading and print as text in one pass; file and member names cannot drive the terminal.
 */
import type { Finding } from '../../../src/scan/finding';
import { formatJson, formatText } from '../../../src/scan/format-text';
import type { TargetScan } from '../../../src/scan/image';
import { printable } from '../../../src/printable';
import type { ScanReport } from '../../../src/scan/run';
import { merge } from '../../../src/scan/walk';

const counts = (): TargetScan['counts'] => ({ files: 1, bytes: 0, binary: 0, symlinks: 0, ignored: 0 });

function finding(i: number, file = 'keys.txt'): Finding {
  return { ruleId: 'aws-access-key-id', title: 'AWS access key id', severity: 'critical', file, line: i + 1, column: 1, redacted: 'AKIA…(20)', fingerprint: i.toString(16).padStart(16, '0') };
}

const report = (findings: Finding[], problems: string[] = []): ScanReport => ({ targets: ['x'], findings, ignored: [], problems, counts: counts() });

describe('findings at scale', () => {
  it.each([130_000, 260_000])('merges %i findings from one file without overflowing the stack', (n) => {
    const all: TargetScan = { findings: [finding(0)], problems: [], counts: counts() };
    merge(all, { findings: Array.from({ length: n }, (_, i) => finding(i)), problems: Array.from({ length: n }, () => 'p'), counts: counts() });
    expect(all.findings).toHaveLength(n + 1);
    expect(all.problems).toHaveLength(n);
    expect(all.counts.files).toBe(2);
  });

  it.each([100_000, 200_000])('prints %i findings in one group as text, one line each', (n) => {
    const text = formatText(report(Array.from({ length: n }, (_, i) => finding(n - 1 - i))));
    const lines = text.split('\n');
    expect(lines[0]).toBe('keys.txt');
    expect(lines[1]).toMatch(/^ {2}1:1 /);
    expect(lines[n]).toMatch(new RegExp(`^  ${n}:1 `));
    expect(lines.at(-2)).toBe(`${n} findings (critical ${n}) in 1 files (0.0 MB)`);
  });
});

describe('names from the scanned content on a terminal', () => {
  it.each([
    ['ESC sequences', 'a\x1b[2J\x1b[31mb', 'a\\x1b[2J\\x1b[31mb'],
    ['a newline forging a finding', 'x.txt\n  1:1      critical forged', 'x.txt\\n  1:1      critical forged'],
    ['carriage return', 'a\rb', 'a\\rb'],
    ['BEL, DEL and a C1 CSI', 'a\x07\x7f\x9bb', 'a\\x07\\x7f\\x9bb'],
    ['bidi override and isolate', 'invoice\u202egnp.exe\u2066', 'invoice\\u202egnp.exe\\u2066'],
    ['zero-width and BOM', 'a\u200bb\u200dc\ufeff', 'a\\u200bb\\u200dc\\ufeff'],
    ['line and paragraph separators', 'a\u2028b\u2029', 'a\\u2028b\\u2029'],
  ])('escapes %s', (_label, name, shown) => {
    expect(printable(name)).toBe(shown);
  });

  it('leaves ordinary names alone', () => {
    expect(printable('app/config/ü-é (1).json')).toBe('app/config/ü-é (1).json');
  });

  it('text output escapes file, member and label names; JSON keeps them exact', () => {
    const evil = 'evil\x1b[2J\nx.txt: critical forged';
    const f: Finding = { ...finding(0, evil), image: { layer: 1, layerDigest: 'sha256:ab\x1b[0m', path: 'app/\u202eexe' }, redacted: 'id_rsa\x1b]0;t\x07' };
    const text = formatText(report([f]));
    // eslint-disable-next-line no-control-regex -- the test looks for raw control characters
    expect(text).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f\u202e]/);
    expect(text.split('\n')[0]).toBe('evil\\x1b[2J\\nx.txt: critical forged  layer 1 (sha256:ab\\x1b[0m)  app/\\u202eexe');
    expect(text).toContain('id_rsa\\x1b]0;t\\x07');
    expect(JSON.parse(formatJson(report([f]))).findings[0].file).toBe(evil);
  });
});
