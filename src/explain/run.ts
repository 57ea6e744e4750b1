/** Reads the inputs of explain and policy and runs every pod template through the webhook's decision. */
import type { Readable } from 'node:stream';
import type { InjectorConfig } from '../config/injector';
import { UsageError } from '../errors';
import { explainTemplate, type Explanation } from './explain';
import { readInput } from './read-input';
import { podTemplates } from './templates';

export interface ExplainRun {
  explained: Explanation[];
  /** Objects that hold no pod template. */
  ignored: number;
  /** Unreadable files and documents: exit 2 once the rest is reported. */
  problems: string[];
}

export async function explainFiles(files: readonly string[], config: InjectorConfig, namespace: string, stdin: Readable): Promise<ExplainRun> {
  if (files.filter((x) => x === '-').length > 1) throw new UsageError(['- (standard input) may be named once']);
  const run: ExplainRun = { explained: [], ignored: 0, problems: [] };
  for (const file of files) {
    const input = await readInput(file, stdin);
    if ('problem' in input) {
      run.problems.push(input.problem);
      continue;
    }
    const read = podTemplates(input.text, input.source, namespace);
    run.problems.push(...read.problems);
    run.ignored += read.ignored;
    run.explained.push(...read.templates.map((t) => explainTemplate(t, config)));
  }
  return run;
}
