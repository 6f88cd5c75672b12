import type { Command } from 'commander';
import { applyRetentionPolicy, describeOutcome, retentionPolicyOf } from '../../archive/retention-policy.js';
import { formatDuration, parseDuration } from '../../detect/duration.js';
import { LedgerSession } from '../../ledger/ledger-session.js';
import { applyRetention, retentionPlan } from '../../ledger/retention.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { UsageError, exitCodes } from '../exit.js';
import { dataDirOption } from '../options.js';
import { signingKeyOption, witnessOption } from './ledger-options.js';

interface RetentionOptions {
  dataDir: string;
  olderThan?: string;
  config?: string;
  dryRun: boolean;
  signingKey?: string;
  witness: string[];
}

export function register(program: Command): void {
  const retention = program.command('retention').description('Remove old records, as a signed action in the ledger');
  retention
    .command('apply')
    .description('Remove the records of whole days older than --older-than, or apply the retention: policy of --config')
    .option('--older-than <duration>', 'e.g. 90d: whole UTC days older than this are removed')
    .option('--config <file>', 'apply the retention: section of this vigil serve config (hotDays, archiveTo, archiveDays) once')
    .option('--dry-run', 'show what would be removed and change nothing', false)
    .addOption(dataDirOption())
    .addOption(signingKeyOption())
    .addOption(witnessOption())
    .addHelpText(
      'after',
      `
The removal is recorded as a vigil.admin record (retention.apply) and signed, so vigil verify
reports the removed records as expired, not deleted. Their leaf hashes stay: proofs of later
records and consistency proofs keep working. Vigil's records that declare removals (retention,
archive moves, restores, expiries) are kept whatever their age: verify needs them.
Run it while vigil serve is stopped.

With --config, a record lives hotDays in the hot store, then archiveDays in archiveTo (see vigil
archive; without archiveDays, for good), then is gone; without archiveTo it is removed after
hotDays. vigil serve --config applies the same policy every intervalMinutes:

  retention:
    hotDays: 30
    archiveTo: s3://audit-archive/prod
    archiveDays: 365

Examples:
  vigil retention apply --older-than 90d --witness /mnt/witness
  vigil retention apply --config vigil.yaml`,
    )
    .action(async (options: RetentionOptions) => {
      process.exitCode = await runRetention(options);
    });
}

async function runRetention(options: RetentionOptions): Promise<number> {
  if (options.config !== undefined) {
    if (options.olderThan !== undefined || options.dryRun) throw new UsageError('--config applies the policy of the file; leave out --older-than and --dry-run');
    return runPolicy(options, options.config);
  }
  if (options.olderThan === undefined) throw new UsageError('give --older-than (e.g. 90d) or --config with a retention: section');
  let ms: number;
  try {
    ms = parseDuration(options.olderThan);
  } catch (error) {
    throw new UsageError(`--older-than: ${(error as Error).message}`);
  }
  const olderThan = { ms, text: formatDuration(ms) };
  const store = SqliteStore.open(options.dataDir, { mustExist: true });
  try {
    if (options.dryRun) {
      const plan = retentionPlan(store.db, Date.now() - ms);
      process.stdout.write(`would remove ${plan.removedRecords} records of ${plan.days.length} day partitions${list(plan.days)}\n`);
      return exitCodes.ok;
    }
    // The key is loaded first: nothing is removed unless the removal can be signed.
    const session = await LedgerSession.open(store, { dataDir: options.dataDir, keyFile: options.signingKey, witnessDirs: options.witness }, (message) =>
      process.stderr.write(`vigil: ${message}\n`),
    );
    const result = applyRetention(store, olderThan);
    const { final, witnessFailures } = await session.finish();
    if (result.declaredBy === undefined) {
      process.stdout.write(`nothing to remove: no day partition is older than ${olderThan.text}\n`);
    } else {
      process.stdout.write(
        `removed ${result.plan.removedRecords} records of ${result.plan.days.length} day partitions${list(result.plan.days)}; ` +
          `declared by the retention record at seq ${result.declaredBy}, signed in the checkpoint of size ${final.latest?.size ?? '?'}\n`,
      );
    }
    return witnessFailures > 0 ? exitCodes.problems : exitCodes.ok;
  } finally {
    await store.close();
  }
}

async function runPolicy(options: RetentionOptions, configFile: string): Promise<number> {
  let policy;
  try {
    policy = retentionPolicyOf(configFile);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (!policy) throw new UsageError(`${configFile} has no retention: section`);
  const store = SqliteStore.open(options.dataDir, { mustExist: true });
  try {
    const session = await LedgerSession.open(store, { dataDir: options.dataDir, keyFile: options.signingKey, witnessDirs: options.witness }, (message) =>
      process.stderr.write(`vigil: ${message}\n`),
    );
    const outcome = await applyRetentionPolicy(store, session, policy);
    const { witnessFailures } = await session.finish();
    process.stdout.write(`${describeOutcome(outcome)}\n`);
    return witnessFailures > 0 ? exitCodes.problems : exitCodes.ok;
  } finally {
    await store.close();
  }
}

function list(days: readonly string[]): string {
  if (days.length === 0) return '';
  return days.length <= 5 ? ` (${days.join(', ')})` : ` (${days.slice(0, 2).join(', ')} … ${days[days.length - 1]})`;
}
