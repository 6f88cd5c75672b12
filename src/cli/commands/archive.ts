import { type Command, Option } from 'commander';
import { expireArchivedSegments } from '../../archive/archive-expiry.js';
import { type ArchiveMoveResult, archiveOldPartitions } from '../../archive/archive-move.js';
import { restoreArchive } from '../../archive/restore.js';
import { type ArchiveTarget, openArchiveTarget } from '../../archive/target.js';
import { type ArchiveVerifyReport, verifyArchive } from '../../archive/verify-archive.js';
import { formatDuration, parseDuration } from '../../detect/duration.js';
import { LedgerSession } from '../../ledger/ledger-session.js';
import { readVerifierKey } from '../../ledger/ledger-identity.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { UsageError, exitCodes } from '../exit.js';
import { dataDirOption, positiveInteger } from '../options.js';
import { type TimeRangeFlags, timeRangeFromFlags } from '../time-range.js';
import { signingKeyOption, witnessOption } from './ledger-options.js';

interface LedgerFlags {
  dataDir: string;
  signingKey?: string;
  witness: string[];
  s3Endpoint?: string;
}

interface MoveOptions extends LedgerFlags {
  olderThan: string;
  to: string;
  compression: 'br' | 'gzip';
  segmentEvents?: number;
  output: 'table' | 'json';
}

interface VerifyOptions {
  publicKey: string;
  s3Endpoint?: string;
  output: 'table' | 'json';
}

interface ExpireOptions extends LedgerFlags {
  olderThan: string;
  from: string;
}

interface RestoreOptions extends LedgerFlags, TimeRangeFlags {
  from: string;
}

export function register(program: Command): void {
  const archive = program.command('archive').description('Move old day partitions out of the hot store into compressed, signed, self-describing segments; verify and restore them');
  // The default: `vigil archive --older-than 30d --to DIR` is `vigil archive move …`.
  signed(archive.command('move', { isDefault: true }).description('Move whole day partitions older than --older-than to the archive (the default sub-command)'))
    .requiredOption('--older-than <duration>', 'whole UTC days older than this are archived, e.g. 30d')
    .requiredOption('--to <target>', 'a directory or s3://bucket/prefix')
    .addOption(new Option('--compression <kind>', 'segment compression').choices(['br', 'gzip']).default('br'))
    .addOption(new Option('--segment-events <n>', 'events per segment at most').argParser(positiveInteger('--segment-events')))
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'))
    .addHelpText(
      'after',
      `
Each segment holds a day's records (or part of a busy day) as NDJSON lines [seq, id, source,
cluster, record], brotli-compressed, beside a manifest with its time range, counts, clusters,
leaf indices, sha256, the signed checkpoint and a proof tying every line to it. The move is an
archive.move record in the ledger; vigil verify then reports those records as archived.
S3: region and credentials from the usual AWS environment/profile chain; --s3-endpoint or
AWS_ENDPOINT_URL for MinIO and other S3-compatible servers (path-style addressing).

Examples:
  vigil archive --older-than 30d --to /mnt/archive
  vigil archive --older-than 30d --to s3://audit-archive/prod
  vigil archive verify /mnt/archive --public-key vigil.pub
  vigil archive restore --from /mnt/archive --since 2026-01-10T00:00:00Z --until 2026-01-11T00:00:00Z`,
    )
    .action(async (options: MoveOptions) => {
      process.exitCode = await runMove(options);
    });

  archive
    .command('verify')
    .description('Check an archive offline with only the public key: every segment, manifest, proof, signature and run')
    .argument('<target>', 'a directory or s3://bucket/prefix')
    .requiredOption('--public-key <key>', 'the log\'s verifier key (text or file), as printed by vigil checkpoint --public-key')
    .addOption(s3EndpointOption())
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (target: string, options: VerifyOptions) => {
      process.exitCode = await runVerify(target, options);
    });

  signed(archive.command('expire').description('Remove archived segments of whole days older than --older-than from the archive, as a signed archive.expire record'))
    .requiredOption('--older-than <duration>', 'archived days older than this (counted from now) are removed, e.g. 395d')
    .requiredOption('--from <target>', 'the archive: a directory or s3://bucket/prefix')
    .addHelpText(
      'after',
      `
The expiry is recorded first (the record lists each segment with its digest), then its receipt is
written to the archive, then the segments and manifests are deleted; vigil verify and vigil archive
verify report those records as expired by policy. The retention: policy (archiveDays) runs this
in vigil serve.`,
    )
    .action(async (options: ExpireOptions) => {
      process.exitCode = await runExpire(options);
    });

  signed(archive.command('restore').description('Bring archived segments of a time range back into the hot store, at their original ledger leaves'))
    .requiredOption('--from <target>', 'the archive: a directory or s3://bucket/prefix')
    .option('--since <when>', 'from this time: a duration back from now (90d) or RFC 3339 time')
    .option('--until <when>', 'before this time: a duration back from now or RFC 3339 time')
    .action(async (options: RestoreOptions) => {
      process.exitCode = await runRestore(options);
    });
}

/** A sub-command that changes the store and the archive: the flags of LedgerFlags, so its action is signed into the store's ledger. */
function signed(command: Command): Command {
  return command.addOption(dataDirOption()).addOption(signingKeyOption()).addOption(witnessOption()).addOption(s3EndpointOption());
}

function s3EndpointOption(): Option {
  return new Option('--s3-endpoint <url>', 'S3-compatible endpoint, e.g. http://127.0.0.1:9000 (default $AWS_ENDPOINT_URL)');
}

function olderThanOption(text: string): number {
  try {
    return parseDuration(text);
  } catch (error) {
    throw new UsageError(`--older-than: ${(error as Error).message}`);
  }
}

function reportRepairs(repairedRuns: readonly number[]): void {
  if (repairedRuns.length > 0) process.stdout.write(`finished the interrupted archive run${repairedRuns.length === 1 ? '' : 's'} at seq ${repairedRuns.join(', ')} (receipt and index written)\n`);
}

async function runMove(options: MoveOptions): Promise<number> {
  const ms = olderThanOption(options.olderThan);
  return runSigned(
    options,
    options.to,
    (store, session, target) =>
      archiveOldPartitions(store, session, target, {
        olderThan: { ms, text: formatDuration(ms) },
        compression: options.compression,
        maxSegmentEvents: options.segmentEvents,
      }),
    (result, target) => {
      if (options.output === 'json') process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else printMove(result, target.location, formatDuration(ms));
    },
  );
}

async function runVerify(location: string, options: VerifyOptions): Promise<number> {
  const verifier = await readVerifierKey(options.publicKey).catch((error: Error) => {
    throw new UsageError(error.message);
  });
  const report = await verifyArchive(openArchiveTarget(location, { s3Endpoint: options.s3Endpoint }), verifier);
  process.stdout.write(options.output === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatVerify(report));
  return report.intact ? exitCodes.ok : exitCodes.problems;
}

function formatVerify(report: ArchiveVerifyReport): string {
  const lines = [`archive ${report.archive}: ${report.runs} runs, ${report.segments.verified} of ${report.segments.declared} segments verified, ${report.events} events`];
  if (report.time) lines.push(`events from ${new Date(report.time.fromMs).toISOString()} to ${new Date(report.time.toMs).toISOString()}`);
  if (report.expired.length > 0) lines.push(describeExpired(report.expired));
  for (const problem of report.problems) lines.push(`problem: ${problem.kind}: ${problem.object}: ${problem.detail}`);
  lines.push(report.intact ? 'result: intact' : `result: NOT INTACT (${report.problems.length} problem${report.problems.length === 1 ? '' : 's'})`);
  return `${lines.join('\n')}\n`;
}

function describeExpired(expired: ArchiveVerifyReport['expired']): string {
  const events = expired.reduce((sum, segment) => sum + segment.events, 0);
  const runs = [...new Set(expired.map((segment) => segment.expiredBy))];
  return `expired by policy: ${expired.length} segments with ${events} events, removed by the signed expiry record${runs.length === 1 ? '' : 's'} at seq ${runs.join(', ')}`;
}

function printMove(result: ArchiveMoveResult, location: string, olderThan: string): void {
  reportRepairs(result.repairedRuns);
  if (result.declaredBy === undefined) process.stdout.write(`nothing to archive: no day partition is older than ${olderThan}\n`);
  else {
    process.stdout.write(
      `archived ${result.archivedRecords} records of ${result.days.length} days in ${result.segments.length} segments to ${location}; ` +
        `declared by the archive record at seq ${result.declaredBy}\n`,
    );
  }
}

async function runExpire(options: ExpireOptions): Promise<number> {
  const ms = olderThanOption(options.olderThan);
  return runSigned(
    options,
    options.from,
    (store, session, target) => expireArchivedSegments(store, session, target, { olderThan: { ms, text: formatDuration(ms) } }),
    (result, target) => {
      reportRepairs(result.repairedRuns);
      if (result.declaredBy === undefined) process.stdout.write(`nothing to expire: no segment of ${target.location} holds a day older than ${formatDuration(ms)}\n`);
      else process.stdout.write(`expired ${result.expiredRecords} archived records of ${result.segments.length} segments from ${target.location}; declared by the expiry record at seq ${result.declaredBy}\n`);
    },
  );
}

async function runRestore(options: RestoreOptions): Promise<number> {
  const range = timeRangeFromFlags(options);
  return runSigned(
    options,
    options.from,
    (store, session, target) => restoreArchive(store, session, target, range),
    (result, target) => {
      if (!result.span) process.stdout.write(`nothing to restore: no archived segment of ${target.location} in that range that is not restored already\n`);
      else {
        process.stdout.write(
          `restored ${result.restoredRecords} records of ${result.segments.length} segments (${new Date(result.span.fromMs).toISOString()} to ${new Date(result.span.toMs).toISOString()}); ` +
            `declared by the restore record at seq ${result.declaredBy}\n`,
        );
      }
    },
  );
}

/**
 * Makes one change to the store and the archive at `location` in a ledger session, signs it, then
 * prints what it did. Exits with problems when a witness could not take the checkpoint.
 */
async function runSigned<T>(
  options: LedgerFlags,
  location: string,
  change: (store: SqliteStore, session: LedgerSession, target: ArchiveTarget) => Promise<T>,
  print: (result: T, target: ArchiveTarget) => void,
): Promise<number> {
  const target = openArchiveTarget(location, { s3Endpoint: options.s3Endpoint });
  const store = SqliteStore.open(options.dataDir, { mustExist: true });
  try {
    const report = (message: string) => process.stderr.write(`vigil: ${message}\n`);
    const session = await LedgerSession.open(store, { dataDir: options.dataDir, keyFile: options.signingKey, witnessDirs: options.witness }, report);
    const result = await change(store, session, target);
    const { witnessFailures } = await session.finish();
    print(result, target);
    return witnessFailures > 0 ? exitCodes.problems : exitCodes.ok;
  } finally {
    await store.close();
  }
}
