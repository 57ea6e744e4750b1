/**
 * Test fixtures: files under a test directory or named as tests. A finding there is
 * reported one severity lower: a key a test suite carries is usually a test key, and
 * still worth a look. Pure.
 */
import type { RawMatch } from './match';
import { SEVERITIES, type Severity } from './severity';

const TEST_DIRS = new Set(['test', 'tests', '__tests__', '__mocks__', '__fixtures__', 'fixtures', 'fixture', 'testdata', 'spec', 'specs']);

/** Is `rel` (a path relative to the scanned directory, or inside an image) a test file or fixture? */
export function isFixturePath(rel: string): boolean {
  const parts = rel.split(/[\\/]/).filter((p) => p !== '');
  const base = parts.pop() ?? '';
  if (parts.some((p) => TEST_DIRS.has(p.toLowerCase()))) return true;
  return /\.(?:test|spec)\.[A-Za-z0-9]{1,8}$/i.test(base) || /_test\.go$/.test(base) || /^test_[^/]{1,200}\.py$/.test(base);
}

/** One step lower, never below the lowest. */
export function lowered(severity: Severity): Severity {
  return SEVERITIES[Math.max(0, SEVERITIES.indexOf(severity) - 1)] ?? severity;
}

/** `m` as reported for a file at `rel`: one severity lower in a test fixture. */
export function forPath<T extends RawMatch>(m: T, rel: string): T {
  return isFixturePath(rel) ? { ...m, severity: lowered(m.severity) } : m;
}
