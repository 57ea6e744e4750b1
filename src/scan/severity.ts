/** Finding severities, lowest first. */
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;

/** How bad a finding is; `--fail-on` compares against this order. */
export type Severity = (typeof SEVERITIES)[number];

/** The `--fail-on` default: every finding fails the check unless the ignore file accepts it. */
export const DEFAULT_FAIL_ON: Severity = 'low';

/** Is `value` one of the severity names? */
export function isSeverity(value: string): value is Severity {
  return (SEVERITIES as readonly string[]).includes(value);
}

/** Is `a` at or above `b`? */
export function atLeast(a: Severity, b: Severity): boolean {
  return SEVERITIES.indexOf(a) >= SEVERITIES.indexOf(b);
}
