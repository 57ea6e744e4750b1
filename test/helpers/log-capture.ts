/** A real structured logger writing to memory, so a test can wait for or assert on its lines. */
import { PassThrough } from 'node:stream';
import { createLogger, type Logger } from '../../src/log';

export interface CapturedLog {
  logger: Logger;
  /** Everything written so far. */
  text: () => string;
  /** The JSON lines written so far, parsed. */
  lines: () => Record<string, any>[];
}

export function captureLogger(name = 'test', level = 'debug'): CapturedLog {
  const destination = new PassThrough();
  let text = '';
  destination.on('data', (c: Buffer) => (text += c.toString()));
  return {
    logger: createLogger({ name, level, destination }),
    text: () => text,
    lines: () => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>),
  };
}
