/**
 * Where the literal-secret detector comes from: the scanner's rules (src/scan/detect.ts),
 * shared so the injector and `secrets-broker scan` agree on what a secret looks like.
 * Until that module exists this returns undefined and the policy cannot run.
 */
import type { LiteralDetector } from './literal';

export function loadDetector(): LiteralDetector | undefined {
  return undefined;
}
