/**
 * Turns a source's fields into files: render each spec, write atomically, audit every
 * write, rotation and error. A spec that fails keeps its last good file and does not stop
 * the others. Files whose content did not change are not rewritten.
 */
import path from 'node:path';
import { RenderError, WriteError } from '../errors';
import { render } from '../render/render';
import { writeSecretFile, type WriteResult } from '../render/write';
import type { SecretSpec } from '../spec';
import type { AuditContext } from './audit-context';
import type { SidecarMetrics } from './metrics';
import { messageOf } from './session';
import type { SourceState } from './source';

export interface RenderDeps {
  mountPath: string;
  audit: AuditContext;
  metrics: SidecarMetrics;
  write?: (mountPath: string, file: string, content: string, mode: number) => Promise<WriteResult>;
}

export interface RenderOutcome {
  /** Specs whose file content changed. */
  changed: string[];
  /** Specs that failed, with the reason (no values). */
  failed: { name: string; error: string }[];
}

/**
 * Renders and writes the specs named in `dirty` (all of them after new fields arrived;
 * after a failure, those still pending) and removes each one that succeeds.
 */
export async function renderSource(s: SourceState, dirty: Set<string>, d: RenderDeps): Promise<RenderOutcome> {
  const out: RenderOutcome = { changed: [], failed: [] };
  const fields = s.fields;
  if (!fields) return out;
  const write = d.write ?? writeSecretFile;
  for (const spec of s.specs.filter((x) => dirty.has(x.name))) {
    try {
      const content = render(spec, fields);
      const { changed } = await write(d.mountPath, spec.file, content, spec.mode);
      dirty.delete(spec.name);
      if (changed) {
        out.changed.push(spec.name);
        recordWrite(s, spec, d);
      }
      s.rendered.add(spec.name);
    } catch (err) {
      const error = messageOf(err);
      out.failed.push({ name: spec.name, error });
      d.metrics.error(err instanceof RenderError ? 'render' : err instanceof WriteError ? 'write' : 'internal');
      if (err instanceof WriteError) d.metrics.inc('writes', 'failure');
      const event = err instanceof WriteError ? 'secret.write' : 'secret.error';
      d.audit.record({ event, outcome: 'failure', secret: spec.name, file: filePath(d, spec), vault: vaultRef(s), error });
    }
  }
  return out;
}

function recordWrite(s: SourceState, spec: SecretSpec, d: RenderDeps): void {
  d.metrics.inc('writes');
  const base = { secret: spec.name, file: filePath(d, spec), vault: vaultRef(s) };
  if (s.rendered.has(spec.name)) d.audit.record({ event: 'secret.rotate', outcome: 'success', ...base });
  d.audit.record({ event: 'secret.write', outcome: 'success', ...base });
}

function filePath(d: RenderDeps, spec: SecretSpec): string {
  return path.join(d.mountPath, spec.file);
}

function vaultRef(s: SourceState): { path: string; version?: number } {
  return { path: s.plan?.dataPath ?? s.path.split('?')[0] ?? s.path, ...(s.version !== undefined && { version: s.version }) };
}
