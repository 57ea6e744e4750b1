/**
 * PEM and OpenSSH private keys, found by a hand-written scan: a header, then the first
 * private-key footer 32 to 32768 characters after it. A lazy `[\s\S]{32,32768}?` would
 * rescan up to 32 KB after every header, so a value of repeated headers cost seconds;
 * here each footer is found once and a pointer only moves forward: linear in the text.
 */

// The marker is built from pieces so this file never holds a literal key marker.
const DASHES = '-----';
const KIND = `[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?${DASHES}`;
/** The header; global, so `lastIndex` drives the scan. */
export const PEM_HEADER = new RegExp(`${DASHES}BEGIN${KIND}`, 'g');
/** The footer, tried only where `-----END` occurs (sticky). */
export const PEM_FOOTER = new RegExp(`${DASHES}END${KIND}`, 'y');
const FOOTER_START = `${DASHES}END`;
/** Shortest and longest body between header and footer. */
export const PEM_BODY = { min: 32, max: 32768 } as const;

/** A key block: where it starts and the whole block, header to footer. */
export interface PemBlock {
  index: number;
  secret: string;
}

/** Every private-key footer in `text`, as [start, end) pairs, in order (overlapping ones included). */
function footers(text: string, steps: PemSteps): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = text.indexOf(FOOTER_START); i !== -1; i = text.indexOf(FOOTER_START, i + 1)) {
    steps.attempts++;
    PEM_FOOTER.lastIndex = i;
    const m = PEM_FOOTER.exec(text);
    if (m) out.push([i, i + m[0].length]);
  }
  PEM_FOOTER.lastIndex = 0;
  return out;
}

/** Bounded-work attempts a scan made: header and footer matches tried (each at most ~130 characters). */
export interface PemSteps {
  attempts: number;
}

/** The key blocks in `text`, non-overlapping, left to right: the same blocks the lazy pattern found. */
export function findPemBlocks(text: string, steps: PemSteps = { attempts: 0 }): PemBlock[] {
  const out: PemBlock[] = [];
  if (!text.includes(`${DASHES}BEGIN`)) return out;
  const ends = footers(text, steps);
  let f = 0;
  PEM_HEADER.lastIndex = 0;
  for (let m = PEM_HEADER.exec(text); m !== null; m = PEM_HEADER.exec(text)) {
    steps.attempts++;
    const body = m.index + m[0].length;
    // Headers come in increasing order, so the first footer far enough away only moves forward.
    while (f < ends.length && (ends[f]?.[0] ?? 0) < body + PEM_BODY.min) {
      f++;
      steps.attempts++;
    }
    const end = ends[f];
    if (end && end[0] <= body + PEM_BODY.max) {
      out.push({ index: m.index, secret: text.slice(m.index, end[1]) });
      PEM_HEADER.lastIndex = end[1];
    } else PEM_HEADER.lastIndex = m.index + 1;
  }
  PEM_HEADER.lastIndex = 0;
  return out;
}
