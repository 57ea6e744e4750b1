/** Reads explain's and policy's inputs: files, or `-` for stdin, each at most MAX_MANIFEST_BYTES. */
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { MAX_MANIFEST_BYTES } from './templates';

export type Input = { source: string; text: string } | { source: string; problem: string };

export async function readInput(file: string, stdin: Readable): Promise<Input> {
  if (file === '-') return readStream(stdin);
  try {
    const fh = await open(file, 'r');
    try {
      const st = await fh.stat();
      if (!st.isFile()) return { source: file, problem: `${file}: not a regular file` };
      if (st.size > MAX_MANIFEST_BYTES) return { source: file, problem: `${file}: larger than ${MAX_MANIFEST_BYTES} bytes` };
      return { source: file, text: await fh.readFile('utf8') };
    } finally {
      await fh.close();
    }
  } catch (err) {
    return { source: file, problem: `${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
  }
}

async function readStream(stdin: Readable): Promise<Input> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += b.length;
    if (size > MAX_MANIFEST_BYTES) {
      stdin.destroy();
      return { source: '-', problem: `-: standard input larger than ${MAX_MANIFEST_BYTES} bytes` };
    }
    chunks.push(b);
  }
  return { source: '-', text: Buffer.concat(chunks).toString('utf8') };
}
