/** `secrets-broker audit verify|query|report|correlate`: thin wiring over src/audit. */
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { Option } from 'commander';
import type { CheckpointVerifier } from '../audit/checkpoint';
import { correlate } from '../audit/correlate';
import { parseFilter, type FilterOptions } from '../audit/query';
import { GROUP_KEYS, MAX_GROUPS, OTHER_GROUPS, type GroupKey } from '../audit/query-aggregate';
import { runQuery } from '../audit/query-run';
import { rotationOrder } from '../audit/rotation-order';
import { readRecords, type ReadStats } from '../audit/read';
import type { AuditRecord } from '../audit/record';
import { ReportBuilder } from '../audit/report';
import { formatTable } from '../audit/table';
import { isStdin } from '../audit/lines';
import { verifyFiles, type Finding, type VerifySummary } from '../audit/verify';
import { BrokerError, RuntimeFailure, UsageError } from '../errors';
import { EXIT, type ExitCode } from './exit';
import type { CliIO, Register } from './io';

/** Every input must be a readable regular file: one problem line each (exit 2). Returns them in rotation order. */
function checkInputs(files: readonly string[]): string[] {
  const problems: string[] = [];
  for (const f of files) {
    if (isStdin(f)) continue;
    try {
      if (!statSync(f).isFile()) problems.push(`${f}: not a regular file`);
    } catch (err) {
      problems.push(`${f}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  if (problems.length > 0) throw new UsageError(problems);
  return rotationOrder(files);
}

async function keyFor(path: string | undefined): Promise<CheckpointVerifier | undefined> {
  if (path === undefined) return undefined;
  try {
    // jose loads only when a key is given: it is a third of the CLI's start-up.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { loadVerifier } = require('../audit/checkpoint') as typeof import('../audit/checkpoint');
    return await loadVerifier(path);
  } catch (err) {
    throw err instanceof BrokerError ? new UsageError([`--key: ${err.message}`]) : err;
  }
}

const where = (f: Finding): string => `${f.file}:${f.line}${f.seq !== undefined ? ` seq ${f.seq}` : ''}`;

type VerifyOpts = { key?: string; allowPartial?: boolean; strict?: boolean; maxUnsignedTail?: string; format: string };

/** Pure: a break, a warning under --strict, or an unsigned tail longer than --max-unsigned-tail. */
export function verifyFailed(r: VerifySummary, o: { strict?: boolean; maxUnsignedTail?: number }): boolean {
  const tooLong = o.maxUnsignedTail !== undefined && r.tail !== undefined && r.tail.records > o.maxUnsignedTail;
  return r.breaks.length > 0 || (o.strict === true && r.warnings.length > 0) || tooLong;
}

function maxTail(o: VerifyOpts): number | undefined {
  if (o.maxUnsignedTail === undefined) return undefined;
  const n = Number(o.maxUnsignedTail);
  const problems = [];
  if (!/^\d{1,15}$/.test(o.maxUnsignedTail) || !Number.isSafeInteger(n)) problems.push('--max-unsigned-tail: a number of records (0 or more)');
  if (o.key === undefined) problems.push('--max-unsigned-tail needs --key (only signed checkpoints bound the tail)');
  if (problems.length > 0) throw new UsageError(problems);
  return n;
}

function tailText(r: VerifySummary): string {
  const t = r.tail;
  if (!t) return '';
  const signed = t.signedSeq !== undefined ? `signed through seq ${t.signedSeq} (${t.signedTs ?? '-'})` : 'nothing signed';
  return `; ${signed}, unsigned tail ${t.records} record(s) ${t.bytes} bytes`;
}

/** `audit verify`: resolves to 0, or 1 on a break (or a warning under --strict, or too long an unsigned tail). */
export async function auditVerify(files: string[], o: VerifyOpts, io: CliIO): Promise<ExitCode> {
  const maxUnsignedTail = maxTail(o);
  files = checkInputs(files);
  const key = await keyFor(o.key);
  const r = await verifyFiles(files, { key, allowPartial: o.allowPartial });
  const failed = verifyFailed(r, { strict: o.strict, maxUnsignedTail });
  if (o.format === 'json') {
    io.stdout.write(`${JSON.stringify({ ok: !failed, ...r, key: key?.kid ?? null }, null, 2)}\n`);
  } else {
    r.breaks.forEach((b, i) => io.stdout.write(`${i === 0 ? 'FIRST BAD RECORD' : 'break'} ${where(b)}: ${b.message}\n`));
    for (const w of r.warnings) io.stdout.write(`warning ${where(w)}: ${w.message}\n`);
    const signed = key ? `signatures checked with key ${key.kid}` : 'signatures not checked (no --key)';
    io.stdout.write(
      `${failed ? 'FAILED' : 'OK'}: ${r.records} records${r.logLines > 0 ? ` (${r.logLines} log lines passed over)` : ''}, ${r.streams} stream(s), ${r.checkpoints} checkpoint(s), ${signed}; ` +
        `${r.breaks.length} break(s), ${r.warnings.length} warning(s); head seq ${r.head.seq} sha256 ${r.head.hash}${tailText(r)}\n`,
    );
  }
  return failed ? EXIT.FOUND : EXIT.OK;
}

/** On stderr: what the reader left out and why; exit 1 when the chain breaks. */
function readNotice(stats: ReadStats, io: CliIO): ExitCode {
  const b = stats.firstBreak;
  if (b) {
    io.stderr.write(`secrets-broker: the audit chain breaks at ${where(b)}: ${b.message}\n`);
    io.stderr.write(`secrets-broker: ${stats.unverified} record(s) from there on are not verified and were left out; run audit verify\n`);
  }
  if (stats.badLines > 0) io.stderr.write(`secrets-broker: ${stats.badLines} line(s) were not valid audit records and were left out\n`);
  return b ? EXIT.FOUND : EXIT.OK;
}

type QueryOpts = FilterOptions & { format: 'table' | 'json'; groupBy?: GroupKey; currentVersions?: boolean; allowPartial?: boolean };

/** `audit query`: resolves to 0, or 1 when the chain breaks (records from there on are left out). */
export async function auditQuery(files: string[], o: QueryOpts, io: CliIO): Promise<ExitCode> {
  const filter = parseFilter(o, Date.now());
  files = checkInputs(files);
  const stats = await runQuery(files, { filter, format: o.format, groupBy: o.groupBy, currentVersions: o.currentVersions, allowPartial: o.allowPartial }, io.stdout);
  if (stats.overflow > 0) {
    const fate = o.groupBy ? `counted in the ${OTHER_GROUPS} row` : 'not shown';
    io.stderr.write(`secrets-broker: more than ${MAX_GROUPS} rows: ${stats.overflow} matching record(s) of further groups are ${fate}; narrow the filter\n`);
  }
  if (stats.rolesNotKept > 0) io.stderr.write(`secrets-broker: roles of ${stats.rolesNotKept} login(s) were not remembered (too many pods): --role may miss their records\n`);
  return readNotice(stats, io);
}

/** A failed open or write is a runtime failure (exit 3) naming its error code; anything else (not an I/O error) propagates as itself. */
export function writeFailure(path: string, err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && (err as NodeJS.ErrnoException).syscall ? new RuntimeFailure(`--html ${path}: cannot write (${code})`, { cause: err }) : err;
}

/** Writes the page piece by piece: the page is never one string in memory. */
function writePage(path: string, pieces: Iterable<string>): void {
  let fd: number;
  try {
    fd = openSync(path, 'w', 0o640);
  } catch (err) {
    throw writeFailure(path, err);
  }
  try {
    for (const piece of pieces) {
      try {
        writeSync(fd, piece);
      } catch (err) {
        throw writeFailure(path, err);
      }
    }
  } finally {
    closeSync(fd);
  }
}

type ReportOpts = { html: string; title: string; allowPartial?: boolean };

/** `audit report`: writes the page; resolves to 0, or 1 when the chain breaks. */
export async function auditReport(files: string[], o: ReportOpts, io: CliIO): Promise<ExitCode> {
  files = checkInputs(files);
  const b = new ReportBuilder();
  const stats = await readRecords(files, (r) => b.add(r), { allowPartial: o.allowPartial });
  writePage(o.html, b.render(o.title, new Date(), stats));
  io.stdout.write(`wrote ${o.html}: ${stats.records} records\n`);
  return readNotice(stats, io);
}

type CorrelateOpts = { vaultLog: string; format: string; allowPartial?: boolean };

/** `audit correlate`: resolves to 0, or 1 on a mismatch with Vault's log or a broken chain. */
export async function auditCorrelate(files: string[], o: CorrelateOpts, io: CliIO): Promise<ExitCode> {
  checkInputs([o.vaultLog]);
  files = checkInputs(files);
  const records: AuditRecord[] = [];
  const stats = await readRecords(
    files,
    (r) => {
      if (r.vault?.requestId || r.vault?.accessorHmac) records.push(r);
    },
    { allowPartial: o.allowPartial },
  );
  const broken = readNotice(stats, io);
  const j = await correlate(records, o.vaultLog);
  const bad = j.rows.filter((r) => r.status !== 'ok').length + j.vaultOnly.length;
  if (o.format === 'json') {
    io.stdout.write(`${JSON.stringify(j, null, 2)}\n`);
  } else {
    const rows = j.rows.map((r) => [String(r.seq), r.event, r.pod, r.path, r.requestId, r.operation ?? '-', r.remote ?? '-', r.status, r.problems.join('; ')]);
    io.stdout.write(formatTable(['SEQ', 'EVENT', 'POD', 'PATH', 'REQUEST ID', 'OPERATION', 'REMOTE', 'STATUS', 'PROBLEMS'], rows));
    if (j.vaultOnly.length > 0) {
      io.stdout.write('\nVault requests made with a pod token that the audit trail does not show:\n');
      io.stdout.write(formatTable(['TIME', 'POD', 'OPERATION', 'PATH', 'REQUEST ID'], j.vaultOnly.map((v) => [v.time, v.pod, v.operation, v.path, v.requestId])));
    }
    io.stdout.write(`${bad === 0 ? 'OK' : 'FOUND'}: ${j.rows.length} records joined against ${j.vaultEntries} Vault entries; ${bad} problem(s)\n`);
  }
  return bad > 0 ? EXIT.FOUND : broken;
}

const format = (choices: string[], dflt: string): Option => new Option('--format <format>', 'output format').choices(choices).default(dflt);
/** Every reader of the trail (verify, query, report, correlate) takes a trail whose older files were rotated away the same way. */
const allowPartial = (): Option => new Option('--allow-partial', 'accept a first file that starts after seq 1 (older rotated files deleted)');

/** Registers `audit` and its subcommands. */
export const registerAudit: Register = (program, io, exit): void => {
  const audit = program.command('audit').description('verify, query and report on the audit trail');
  audit
    .command('verify')
    .description('check the hash chain (and signed checkpoints with --key); name the first bad record; exit 1 on a break')
    .argument('<file...>', 'audit files; rotated files of one name are read oldest first (audit.log.2 audit.log.1 audit.log)')
    .option('--key <file>', 'public key (PEM or JWK) that must have signed the checkpoints')
    .addOption(allowPartial())
    .option('--strict', 'exit 1 on warnings too (torn lines, unsigned records after the last checkpoint)')
    .option('--max-unsigned-tail <records>', 'with --key: exit 1 when more records than this follow the last signed checkpoint (0: the trail must end signed)')
    .addOption(format(['text', 'json'], 'text'))
    .action(async (files: string[], o: VerifyOpts) => exit(await auditVerify(files, o, io)));
  audit
    .command('query')
    .description('who read which secret, from which pod, when')
    .argument('<file...>', 'audit files (rotated ones read oldest first); only records whose chain verifies are used')
    .addOption(allowPartial())
    .option('--namespace <ns>', 'pod namespace')
    .option('--pod <name>', 'pod name')
    .option('--path <path>', 'Vault path; KV v2 with or without data/; a trailing * matches a prefix')
    .option('--secret <name>', 'secret name from the pod annotation')
    .option('--event <events>', 'comma list of events')
    .option('--since <time>', 'RFC 3339 time or a duration back from now (24h, 7d)')
    .option('--until <time>', 'RFC 3339 time or a duration back from now')
    .option('--outcome <outcome>', 'success or failure')
    .option('--role <role>', 'Vault role the pod logged in with')
    .addOption(new Option('--group-by <key>', 'count records per group').choices([...GROUP_KEYS]))
    .option('--current-versions', 'the version of each secret each pod holds now')
    .addOption(format(['table', 'json'], 'table'))
    .action(async (files: string[], o: QueryOpts) => exit(await auditQuery(files, o, io)));
  audit
    .command('report')
    .description('a self-contained HTML page: summary, failures, timeline per secret and per pod')
    .argument('<file...>', 'audit files (rotated ones read oldest first); only records whose chain verifies are used')
    .addOption(allowPartial())
    .requiredOption('--html <out>', 'write the page here')
    .option('--title <title>', 'page title', 'secrets-broker audit report')
    .action(async (files: string[], o: ReportOpts) => exit(await auditReport(files, o, io)));
  audit
    .command('correlate')
    .description("join the trail to Vault's file audit log by request id and HMAC'd accessor and lease ids; exit 1 on a mismatch")
    .argument('<file...>', 'audit files (rotated ones read oldest first); only records whose chain verifies are used')
    .requiredOption('--vault-log <file>', "Vault's file audit device log (JSON lines)")
    .addOption(format(['table', 'json'], 'table'))
    .addOption(allowPartial())
    .action(async (files: string[], o: CorrelateOpts) => exit(await auditCorrelate(files, o, io)));
};
