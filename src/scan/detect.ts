/**
 * The literal-secret check shared by the scanner and the injector's literal-secret
 * policy. Pure: no I/O, and the value never leaves this module.
 */
import { matchKnown } from './match';
import { secretNameStrength } from './names';
import type { Severity } from './severity';
import { isGenericSecretValue } from './values';

/** Why a literal value looks like a secret; carries no part of the value. */
export interface LiteralFinding {
  ruleId: string;
  title: string;
  severity: Severity;
}

/**
 * Is this value (optionally under this variable name) a secret? Known credential
 * formats anywhere in the value, or a high-entropy value under a secret-like name
 * (PASSWORD, TOKEN, SECRET, KEY, API_KEY, CREDENTIALS...). Placeholders, hashes, UUIDs,
 * references and low-entropy values stay quiet. Pure, no I/O, never returns the value.
 */
export function detectLiteral(value: string, name?: string): LiteralFinding | undefined {
  // Under a name, some formats need it as context (AWS_SECRET_ACCESS_KEY=...): match `name=value`, keep hits in the value.
  const offset = name === undefined ? 0 : name.length + 1;
  const known = matchKnown(name === undefined ? value : `${name}=${value}`).find((m) => m.index >= offset);
  if (known) return { ruleId: known.ruleId, title: known.title, severity: known.severity };
  if (name === undefined || secretNameStrength(name) === 'none') return undefined;
  // Not the file scanner's stricter "looks generated" test: in a pod spec, a literal value
  // under a secret-like name is a credential even when it reads as words (a passphrase).
  if (!isGenericSecretValue(value.trim())) return undefined;
  return { ruleId: 'generic-secret', title: 'High-entropy value assigned to a secret-like name', severity: 'medium' };
}
