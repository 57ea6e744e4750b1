/**
 * Counts distinct keys in bounded memory: exactly up to `exactLimit` keys, then by a
 * HyperLogLog estimate (16 KiB of registers, about 1% error) fed with every key seen.
 */

const P = 14;
const M = 1 << P;

/** FNV-1a over UTF-16 code units, finished with murmur3's fmix32 so all 32 bits mix. */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export class DistinctCount {
  private exact: Set<string> | undefined = new Set();
  private readonly registers = new Uint8Array(M);

  constructor(private readonly exactLimit = 100_000) {}

  add(key: string): void {
    if (!this.exact) return this.sketch(key);
    this.exact.add(key);
    if (this.exact.size <= this.exactLimit) return;
    for (const k of this.exact) this.sketch(k);
    this.exact = undefined;
  }

  /** True once the count is an estimate. */
  get estimated(): boolean {
    return this.exact === undefined;
  }

  /** Keys held exactly (0 once estimating): the memory this counter uses beyond 16 KiB. */
  get held(): number {
    return this.exact?.size ?? 0;
  }

  get value(): number {
    if (this.exact) return this.exact.size;
    let sum = 0;
    let zeros = 0;
    for (const r of this.registers) {
      sum += 2 ** -r;
      if (r === 0) zeros += 1;
    }
    const raw = ((0.7213 / (1 + 1.079 / M)) * M * M) / sum;
    return Math.round(raw <= 2.5 * M && zeros > 0 ? M * Math.log(M / zeros) : raw);
  }

  private sketch(key: string): void {
    const h = hash32(key);
    const idx = h >>> (32 - P);
    const rest = (h << P) >>> 0;
    const rank = rest === 0 ? 32 - P + 1 : Math.clz32(rest) + 1;
    if (rank > this.registers[idx]!) this.registers[idx] = rank;
  }
}
