import type { Severity } from './severity';

/** One detection rule over text. Its pattern is global; the secret is capture group `group`. */
export interface Rule {
  /** Stable kebab-case id, used in reports, SARIF and the ignore file. */
  readonly id: string;
  /** One line a reader understands. */
  readonly title: string;
  readonly severity: Severity;
  readonly pattern: RegExp;
  readonly group: number;
  /** A hand-written scan used instead of `pattern` (which then only finds the start). */
  readonly find?: (text: string) => Array<{ index: number; secret: string }>;
  /** Extra check on the captured secret (and the pattern's groups, when it has them); false drops the match. */
  readonly accept?: (secret: string, groups: ReadonlyArray<string | undefined>) => boolean;
}
