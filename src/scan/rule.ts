import type { Severity } from './severity';

/**
 * Where a rule's match can start: a literal `marker` (in any ASCII case when
 * `caseless`), and for tokens whose marker sits inside (`<digits>:AA...`), how many
 * characters of class `back` come before it. Every position the rule's pattern can
 * match at is the start of one of its anchors, so the pattern is only tried there.
 */
export interface Anchor {
  readonly marker: string;
  readonly caseless?: boolean;
  readonly back?: { readonly chars: RegExp; readonly min: number; readonly max: number };
  /**
   * The characters the pattern's own lookbehind refuses right before the match start
   * (`(?<![A-Za-z0-9_])`): a start after one of them is no candidate, and its pattern is
   * never tried there. A marker inside words (`s.` in `this.x`) then costs no attempt.
   */
  readonly notAfter?: RegExp;
}

/** One detection rule over text. Its pattern is global; the secret is capture group `group`. */
export interface Rule {
  /** Stable kebab-case id, used in reports, SARIF and the ignore file. */
  readonly id: string;
  /** One line a reader understands. */
  readonly title: string;
  readonly severity: Severity;
  readonly pattern: RegExp;
  readonly group: number;
  /** Where a match can start (a superset is fine: the pattern decides). */
  readonly anchors: readonly Anchor[];
  /** A hand-written scan used instead of `pattern` (which then only finds the start), run when an anchor is in the text. */
  readonly find?: (text: string) => Array<{ index: number; secret: string }>;
  /** Extra check on the captured secret (and the pattern's groups, when it has them); false drops the match. */
  readonly accept?: (secret: string, groups: ReadonlyArray<string | undefined>) => boolean;
}
