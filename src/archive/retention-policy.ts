import { readConfigSections } from '../alert/config-file.js';
import { type RetentionPolicy, parseServeConfig } from '../config/serve-config.js';
import type { LedgerSession } from '../ledger/ledger-session.js';
import { type RetentionResult, applyRetention } from '../ledger/retention.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { type ArchiveExpiryResult, expireArchivedSegments } from './archive-expiry.js';
import { type ArchiveMoveResult, archiveOldPartitions } from './archive-move.js';
import { openArchiveTarget } from './target.js';

/**
 * The `retention:` policy of the config file, hot days → archive days → gone: whole days older
 * than `hotDays` leave the hot store, for `archiveTo` when it is set (archive.move), else for good
 * (retention.apply); archived days older than `hotDays + archiveDays` are removed from the archive
 * (archive.expire). Each step is a signed ledger record, so `verify` reports archived and expired,
 * never deleted.
 */

const DAY_MS = 86_400_000;

export interface PolicyOutcome {
  archived?: ArchiveMoveResult;
  expired?: ArchiveExpiryResult;
  removed?: RetentionResult;
}

export async function applyRetentionPolicy(store: SqliteStore, session: LedgerSession, policy: RetentionPolicy, now: number = Date.now()): Promise<PolicyOutcome> {
  if (policy.archiveTo === undefined) {
    const removed = applyRetention(store, days(policy.hotDays), now);
    if (removed.declaredBy !== undefined) await session.checkpointNow();
    return { removed };
  }
  const target = openArchiveTarget(policy.archiveTo, { s3Endpoint: policy.s3Endpoint });
  const archived = await archiveOldPartitions(store, session, target, { olderThan: days(policy.hotDays), now });
  if (policy.archiveDays === undefined) return { archived };
  const expired = await expireArchivedSegments(store, session, target, { olderThan: days(policy.hotDays + policy.archiveDays), now });
  return { archived, expired };
}

/** The policy in a `vigil serve --config` file, or undefined when it has none. */
export function retentionPolicyOf(configFile: string): RetentionPolicy | undefined {
  return parseServeConfig(readConfigSections(configFile).rest, configFile).retention;
}

/**
 * Applies the policy of `configFile` now and every `intervalMinutes` inside `vigil serve`, signing
 * through the server's session beside its running ticker. Failures are logged and retried at the
 * next interval (a run cut short after its commit is finished by the next one).
 */
export function startRetentionSchedule(
  store: SqliteStore,
  session: LedgerSession,
  configFile: string | undefined,
  log: { info(message: string): void; error(message: string): void },
): { stop(): Promise<void> } | undefined {
  const policy = configFile === undefined ? undefined : retentionPolicyOf(configFile);
  if (!policy) return undefined;
  let running: Promise<void> | undefined;
  const run = () => {
    running ??= applyRetentionPolicy(store, session, policy)
      .then(
        (outcome) => log.info(describeOutcome(outcome)),
        (error: Error) => log.error(`retention policy failed (retried in ${policy.intervalMinutes} min): ${error.message}`),
      )
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(run, policy.intervalMinutes * 60_000);
  timer.unref();
  run();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

export function describeOutcome(outcome: PolicyOutcome): string {
  const parts: string[] = [];
  if (outcome.archived) parts.push(`archived ${outcome.archived.archivedRecords} records of ${outcome.archived.days.length} days`);
  if (outcome.expired && outcome.expired.segments.length > 0) parts.push(`expired ${outcome.expired.expiredRecords} archived records of ${outcome.expired.segments.length} segments`);
  const repaired = [...(outcome.archived?.repairedRuns ?? []), ...(outcome.expired?.repairedRuns ?? [])];
  if (repaired.length > 0) parts.push(`finished the interrupted archive run${repaired.length === 1 ? '' : 's'} at seq ${repaired.join(', ')}`);
  if (outcome.removed) parts.push(`removed ${outcome.removed.plan.removedRecords} records of ${outcome.removed.plan.days.length} days`);
  return `retention policy: ${parts.join('; ') || 'nothing to do'}`;
}

function days(count: number): { ms: number; text: string } {
  return { ms: count * DAY_MS, text: `${count}d` };
}
