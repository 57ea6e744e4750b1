/**
 * The V8 flags every injector process runs with (the chart sets them as NODE_OPTIONS, which
 * node:cluster's workers inherit; the benchmark and the heap test start the injector with
 * them), chosen by measurement (docs/injector.md, "Memory"):
 *
 * - `--max-semi-space-size=2`: a young generation of 2 MiB semi-spaces instead of up to 16.
 * - `--max-old-space-size=64`: old space capped at 64 MiB, so V8 collects before it grows
 *   instead of taking headroom. Safe because a body cannot cost more heap than the guards
 *   allow (3 MiB, depth 100, MAX_JSON_ITEMS in src/inject/json.ts) and responses leave the
 *   heap as Buffers (mutate.ts); test/integration/injector-heap.test.ts sends the costliest
 *   admitted bodies to a process run with these flags.
 */
export const INJECTOR_NODE_FLAGS = ['--max-semi-space-size=2', '--max-old-space-size=64'] as const;

/** The NODE_OPTIONS value that carries them. */
export const INJECTOR_NODE_OPTIONS = INJECTOR_NODE_FLAGS.join(' ');
