import { availableParallelism } from 'node:os';
import { type Command, Option } from 'commander';
import { type StoreVerifyReport, verifyStore } from '../../ledger/store-verify.js';
import type { LedgerRange } from '../../ledger/verify-report.js';
import { countProgress } from '../count-progress.js';
import { UsageError, exitCodes } from '../exit.js';
import { dataDirOption, positiveInteger } from '../options.js';
import { signingKeyOption, witnessOption } from './ledger-options.js';
import { storeOption } from './store-option.js';

interface VerifyOptions {
  dataDir: string;
  witness: string[];
  publicKey?: string;
  signingKey?: string;
  output: 'table' | 'json';
  threads: number;
  archives: boolean;
  s3Endpoint?: string;
  store?: string;
  log: string[];
}

export function register(program: Command): void {
  program
    .command('verify')
    .description('Check the whole store against its tamper-evident ledger: every record, column, checkpoint and witness')
    .addOption(dataDirOption())
    .addOption(witnessOption('also compare with the checkpoint this witness directory holds (catches a rollback of the whole store)'))
    .addOption(new Option('--public-key <key>', 'verify checkpoints with this verifier key (text or file), e.g. one kept away from this host'))
    .addOption(signingKeyOption())
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--archives', 'also verify every archive vigil archive wrote to (segments, manifests, proofs, runs)', false)
    .option('--s3-endpoint <url>', 'S3-compatible endpoint for archives on S3 (default $AWS_ENDPOINT_URL)')
    .addOption(new Option('--threads <n>', 'worker threads for decoding and hashing').argParser(nonNegativeInteger).default(availableParallelism()))
    .addOption(storeOption())
    .addOption(new Option('--log <name>', 'with --store: verify only this ledger log, e.g. p0 (repeatable; default every log)').argParser(collectLogs).default([]))
    .addHelpText(
      'after',
      `
Exit status 0 only when everything is intact (records removed by retention count as expired,
not tampered); 1 when anything is modified, deleted, inserted, reordered or truncated.

Examples:
  vigil verify --witness /mnt/witness
  vigil verify --public-key "$(cat vigil.pub)" -o json
  vigil verify --store clickhouse://127.0.0.1:8123/vigil --log p0 --witness /mnt/witness`,
    )
    .action(async (options: VerifyOptions) => {
      process.exitCode = await runVerify(options);
    });
}

async function runVerify(options: VerifyOptions): Promise<number> {
  if (options.store !== undefined) return runClickHouseVerify(options, options.store);
  let checked = 0;
  let total = 0;
  let progress: { stop(): void } | undefined;
  const report = await verifyStore({
    dataDir: options.dataDir,
    witnessDirs: options.witness,
    publicKey: options.publicKey,
    keyFile: options.signingKey,
    threads: options.threads,
    archives: options.archives,
    s3Endpoint: options.s3Endpoint,
    onProgress: (rows, end) => {
      checked = rows;
      if (!progress) {
        total = end;
        progress = countProgress(total, () => checked, 'verify', 'records');
      }
    },
  });
  progress?.stop();
  process.stdout.write(options.output === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return report.intact ? exitCodes.ok : exitCodes.problems;
}

/** Each log of the scale-out store is its own ledger, verified and reported on its own. */
async function runClickHouseVerify(options: VerifyOptions, url: string): Promise<number> {
  if (options.archives) throw new UsageError('--archives reads the archive catalog of a data directory; it does not combine with --store');
  if (options.signingKey !== undefined) throw new UsageError('with --store, pass the verifier key with --public-key (vigil checkpoint --public-key prints it)');
  const { verifyClickHouseStore } = await import('../../ledger/clickhouse-verify.js');
  const report = await verifyClickHouseStore({ url, logs: options.log, witnessDirs: options.witness, publicKey: options.publicKey });
  if (options.output === 'json') process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    if (report.logs.length === 0) process.stdout.write('the store holds no ledger log yet\n');
    for (const log of report.logs) process.stdout.write(`=== ledger log ${log.log}\n${formatReport(log)}\n`);
  }
  return report.intact ? exitCodes.ok : exitCodes.problems;
}

function collectLogs(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function formatReport(report: StoreVerifyReport): string {
  const lines: string[] = [];
  lines.push(`log ${report.origin ?? '(never signed)'}: ${report.ledgerSize} leaves, ${report.records} rows read`);
  if (report.verifierKeyFrom) lines.push(`checkpoints verified with ${report.verifierKeyFrom}`);
  lines.push('', ...rangeTable(report.ranges), '');
  const { verified, notCheckable, problems } = report.checkpoints;
  lines.push(`checkpoints: ${verified} verified${notCheckable > 0 ? `, ${notCheckable} not checkable (their records are missing or expired)` : ''}`);
  for (const witness of report.witnesses) lines.push(`witness ${witness.witness}: ${witness.status}${witness.size === null ? '' : ` at size ${witness.size}`} (${witness.detail})`);
  for (const range of report.uncovered) {
    lines.push(
      `not yet signed: ${span(range)} (${range.to - range.from} records) match their recorded leaf hashes, but no checkpoint covers them yet; the next ingest, serve or 'vigil checkpoint' signs them`,
    );
  }
  for (const archive of report.archives ?? []) {
    lines.push(`archive ${archive.archive}: ${archive.segments.verified} of ${archive.segments.declared} segments verified, ${archive.events} events${archive.intact ? '' : `, ${archive.problems.length} problems`}`);
    for (const problem of archive.problems) lines.push(`  ${problem.kind}: ${problem.object}: ${problem.detail}`);
  }
  for (const problem of [...problems, ...report.storeProblems]) lines.push(`problem: ${problem}`);
  lines.push('', report.intact ? 'result: intact' : `result: NOT INTACT (${summary(report)})`);
  return `${lines.join('\n')}\n`;
}

const MAX_TABLE_RANGES = 100;

function rangeTable(ranges: readonly LedgerRange[]): string[] {
  const shown = ranges.slice(0, MAX_TABLE_RANGES);
  const rows = shown.map((range) => [span(range), String(range.to - range.from), range.kind, range.detail]);
  const header = ['SEQ', 'LEAVES', 'KIND', 'DETAIL'];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ');
  const more = ranges.length - shown.length;
  return [line(header), ...rows.map(line), ...(more > 0 ? [`… and ${more} more ranges (-o json lists them all)`] : [])];
}

function span(range: { from: number; to: number }): string {
  return range.to - range.from === 1 ? `${range.from}` : `${range.from}–${range.to - 1}`;
}

function summary(report: StoreVerifyReport): string {
  const counts = new Map<string, number>();
  for (const range of report.ranges) if (range.kind !== 'intact' && range.kind !== 'expired' && range.kind !== 'archived') counts.set(range.kind, (counts.get(range.kind) ?? 0) + 1);
  const parts = [...counts].map(([kind, count]) => `${count} ${kind} range${count === 1 ? '' : 's'}`);
  const problems = report.checkpoints.problems.length + report.storeProblems.length;
  if (problems > 0) parts.push(`${problems} problem${problems === 1 ? '' : 's'}`);
  const witnesses = report.witnesses.filter((w) => w.status !== 'consistent' && w.status !== 'not-checkable').length;
  if (witnesses > 0) parts.push(`${witnesses} witness${witnesses === 1 ? '' : 'es'} disagree`);
  return parts.join(', ') || 'see above';
}

function nonNegativeInteger(value: string): number {
  if (value === '0') return 0;
  return positiveInteger('--threads')(value);
}
