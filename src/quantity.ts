/** Kubernetes quantities (`500m`, `0.5`, `16Mi`, `1e3`) read as numbers (pure). */

const SUFFIXES: Record<string, number> = {
  '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** The value of a Kubernetes quantity such as `500m`, `0.5`, `16Mi` or `1e3`; undefined when it is none. */
export function quantityValue(text: string): number | undefined {
  const m = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(?:([mkMGTPE]|[KMGTPE]i)|[eE]([+-]?[0-9]+))?$/.exec(text);
  if (!m) return undefined;
  const [, num = '', suffix = '', exp] = m;
  return Number(num) * (exp !== undefined ? 10 ** Number(exp) : (SUFFIXES[suffix] ?? 1));
}
