/** Applies the injector's JSON Patch (RFC 6902 `add` operations only) to a copy of a pod (pure). */
import type { PatchOp } from '../inject/types';

/** RFC 6901: `~1` is `/` and `~0` is `~` inside one segment. */
function unescape(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** A copy of `doc` with every op applied; throws on a path that does not exist (never happens for the injector's own patch). */
export function applyAdds<T>(doc: T, ops: readonly PatchOp[]): T {
  const root = structuredClone(doc) as unknown;
  for (const op of ops) {
    const segments = op.path.split('/').slice(1).map(unescape);
    const last = segments.pop();
    if (last === undefined) throw new Error(`patch path ${op.path} has no target`);
    const parent = segments.reduce<unknown>((node, s) => step(node, s, op.path), root);
    const value = structuredClone(op.value);
    if (Array.isArray(parent)) {
      const index = last === '-' ? parent.length : Number(last);
      if (!Number.isInteger(index) || index < 0 || index > parent.length) throw new Error(`patch path ${op.path}: bad index`);
      parent.splice(index, 0, value);
    } else if (typeof parent === 'object' && parent !== null) {
      Object.defineProperty(parent, last, { value, enumerable: true, writable: true, configurable: true });
    } else throw new Error(`patch path ${op.path}: parent is not a container`);
  }
  return root as T;
}

function step(node: unknown, segment: string, path: string): unknown {
  if (typeof node !== 'object' || node === null || !Object.hasOwn(node, segment)) throw new Error(`patch path ${path}: ${segment} does not exist`);
  return (node as Record<string, unknown>)[segment];
}
