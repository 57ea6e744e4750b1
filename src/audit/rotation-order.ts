/**
 * Pure: puts rotated files in chain order, oldest first, so `audit.log*` (which the shell
 * expands as audit.log audit.log.1 audit.log.2 ... audit.log.10) reads as
 * ... audit.log.2 audit.log.1 audit.log. Files of one base keep their place as a group
 * (where the first of them stood); other files keep their order.
 */
const ROTATED = /^(.*)\.(\d{1,6})$/;

export function rotationOrder(files: readonly string[]): string[] {
  const rank = (f: string, base: string): number => (f === base ? 0 : Number(ROTATED.exec(f)![2]));
  const baseOf = (f: string): string => {
    const m = ROTATED.exec(f);
    return m && files.includes(m[1]!) ? m[1]! : f;
  };
  const groups = new Map<string, string[]>();
  for (const f of files) {
    const base = baseOf(f);
    groups.set(base, [...(groups.get(base) ?? []), f]);
  }
  return [...groups.entries()].flatMap(([base, fs]) => fs.sort((a, b) => rank(b, base) - rank(a, base)));
}
