import { readConfigSections } from '../alert/config-file.js';
import { type RetentionPolicy, parseServeConfig } from '../config/serve-config.js';
import type { LedgerSession } from '../ledger/ledger-session.js';
import { type RetentionResult, applyRetention } from '../ledger/retention.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { type ArchiveMoveResult, archiveOldPartitions } from './archive-move.js';
import { openArchiveTarget } from './target.js';

/**
 * The `retention:` policy of the config file: whole days older than `hotDays` move to the archive
 * (when `archiveTo` is set), and days older than `deleteAfterDays` (without an archive: `hotDays`)
 * are removed from the hot store. Both steps are signed ledger records (archive.move, retention.apply).
 */

const DAY_MS = 86_400_000;

export interface PolicyOutcome {
  archived?: ArchiveMoveResult;
  removed?: RetentionResult;
}

export async function applyRetentionPolicy(store: SqliteStore, session: LedgerSession, policy: RetentionPolicy, now: number = Date.now()): Promise<PolicyOutcome> {
  const outcome: PolicyOutcome = {};
  if (policy.archiveTo !== undefined) {
    const target = openArchiveTarget(policy.archiveTo, { s3Endpoint: policy.s3Endpoint });
    outcome.archived = await archiveOldPartitions(store, session, target, { olderThan: days(policy.hotDays), now });
  }
  const deleteAfter = policy.archiveTo === undefined ? (policy.deleteAfterDays ?? policy.hotDays) : policy.deleteAfterDays;
  if (deleteAfter !== undefined) {
    outcome.removed = applyRetention(store, days(deleteAfter), now);
    if (outcome.removed.declaredBy !== undefined) await session.finish();
  }
  return outcome;
}

/** The policy in a `vigil serve --config` file, or undefined when it has none. */
export function retentionPolicyOf(configFile: string): RetentionPolicy | undefined {
  return parseServeConfig(readConfigSections(configFile).rest, configFile).retention;
}

/**
 * Applies the policy of `configFile` now and every `intervalMinutes` inside `vigil serve`. The
 * session's checkpoint ticker is restarted after each run (archiving signs through the session
 * and stops it). Failures are logged and retried at the next interval.
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
        session.startTicker();
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
  if (outcome.removed) parts.push(`removed ${outcome.removed.plan.removedRecords} records of ${outcome.removed.plan.days.length} days`);
  return `retention policy: ${parts.join('; ') || 'nothing to do'}`;
}

function days(count: number): { ms: number; text: string } {
  return { ms: count * DAY_MS, text: `${count}d` };
}
