/** Where explain and policy take the operator's settings from: the environment, or the injector's Deployment in a file. */
import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors';
import { settingsFromManifest } from './settings-from';
import { MAX_MANIFEST_BYTES } from './templates';

export async function operatorEnv(env: Record<string, string | undefined>, settingsFrom: string | undefined): Promise<Record<string, string | undefined>> {
  if (settingsFrom === undefined) return env;
  let text: string;
  try {
    const buf = await readFile(settingsFrom);
    if (buf.length > MAX_MANIFEST_BYTES) throw new UsageError([`--settings-from ${settingsFrom}: larger than ${MAX_MANIFEST_BYTES} bytes`]);
    text = buf.toString('utf8');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError([`--settings-from ${settingsFrom}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  const r = settingsFromManifest(text, settingsFrom);
  if (!r.ok) throw new UsageError(r.problems);
  return r.env;
}
