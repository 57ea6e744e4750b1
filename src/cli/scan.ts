import { writeFile } from 'node:fs/promises';
import { Option } from 'commander';
import { RuntimeFailure, UsageError } from '../errors';
import { formatJson, formatText } from '../scan/format-text';
import { printable } from '../printable';
import type { ScanReport } from '../scan/run';
import { formatSarif } from '../scan/sarif';
import { DEFAULT_FAIL_ON, SEVERITIES, atLeast, isSeverity } from '../scan/severity';
import { packageVersion } from '../version';
import { EXIT, type ExitCode } from './exit';
import type { CliIO, Register } from './io';

const FORMATS = ['text', 'json', 'sarif'] as const;

export interface ScanFlags {
  format: string;
  output?: string;
  failOn: string;
  ignoreFile?: string;
}

function render(report: ScanReport, format: string): string {
  if (format === 'json') return formatJson(report);
  if (format === 'sarif') return formatSarif(report, packageVersion());
  return formatText(report);
}

/** The exit code for a finished scan: 2 for unreadable input, 1 for findings at or above the threshold. */
export function scanExitCode(report: ScanReport, failOn: string): ExitCode {
  if (report.problems.length > 0) return EXIT.USAGE;
  const threshold = isSeverity(failOn) ? failOn : DEFAULT_FAIL_ON;
  return report.findings.some((f) => atLeast(f.severity, threshold)) ? EXIT.FOUND : EXIT.OK;
}

/** `secrets-broker scan`: resolves to its exit code (scanExitCode); an unwritable --output is a runtime failure (3). */
export async function scan(targets: string[], flags: ScanFlags, io: CliIO): Promise<ExitCode> {
  const problems: string[] = [];
  if (!(FORMATS as readonly string[]).includes(flags.format)) problems.push(`--format must be one of ${FORMATS.join(', ')}`);
  if (!isSeverity(flags.failOn)) problems.push(`--fail-on must be one of ${SEVERITIES.join(', ')}`);
  if (problems.length > 0) throw new UsageError(problems);
  const opts = flags.ignoreFile === undefined ? { targets } : { targets, ignoreFile: flags.ignoreFile };
  // The scanner's modules load only when a scan runs, not for every command.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { runScan } = require('../scan/run') as typeof import('../scan/run');
  const report = await runScan(opts);
  const text = render(report, flags.format);
  if (flags.output === undefined) io.stdout.write(text);
  else {
    try {
      await writeFile(flags.output, text);
    } catch (err) {
      throw new RuntimeFailure(`--output ${flags.output}: cannot write (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
    }
  }
  // Problems name files and archive members from the scanned content: escaped, one line each.
  for (const p of report.problems) io.stderr.write(`secrets-broker: ${printable(p)}\n`);
  return scanExitCode(report, flags.failOn);
}

/** `secrets-broker scan`: find secrets baked into directories, Dockerfiles and image archives. */
export const registerScan: Register = (program, io, exit): void => {
  program
    .command('scan')
    .description('find secrets baked into directories, Dockerfiles and image archives (docker save or OCI)')
    .argument('<target...>', 'directories (build contexts), files, Dockerfiles, image archives or OCI layout directories')
    .addOption(new Option('-f, --format <format>', 'output format').choices([...FORMATS]).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices([...SEVERITIES]).default(DEFAULT_FAIL_ON))
    .option('--ignore-file <file>', 'accepted findings with reasons (default: .secrets-broker-ignore in each target directory)')
    .addHelpText('after', '\nExit codes: 0 no finding at or above --fail-on; 1 findings; 2 bad usage or unreadable input; 3 the report could not be written.')
    .action(async (targets: string[], flags: ScanFlags) => exit(await scan(targets, flags, io)));
};
