import type { Statement } from 'better-sqlite3';
import type { AdminAction } from '../../ledger/admin-record.js';
import type { SqliteDatabase } from './database.js';

/** An operator's choice to run a rule or not, overriding the `enabled:` of its file. */
export interface RuleState {
  ruleId: string;
  enabled: boolean;
  /** Token name (API, UI) or OS user (CLI) who made the change. */
  changedBy: string;
  /** Epoch milliseconds. */
  changedAt: number;
  reason?: string;
}

export interface RuleChange {
  ruleId: string;
  title: string;
  enabled: boolean;
  /** The rule file's `enabled:`, which holds while no one has chosen. */
  fileDefault: boolean;
  by: string;
  reason?: string;
}

interface RuleStateRow {
  ruleId: string;
  enabled: number;
  changedBy: string;
  changedAt: number;
  reason: string | null;
}

const COLUMNS = 'rule_id AS ruleId, enabled, changed_by AS changedBy, changed_at AS changedAt, reason';

/**
 * Which rules an operator enabled or disabled, kept in the data directory so the choice
 * survives restarts and applies to every process on it (`vigil serve`, `vigil ingest`). Each
 * change takes the next `version`, so a running detection stage notices a change made by
 * another process with one cheap query per batch.
 */
export class SqliteRuleStates {
  /** A read-only database of an older data directory may lack the table: then no rule has an override. */
  private readonly present: boolean;
  private versionQuery?: Statement;

  constructor(private readonly db: SqliteDatabase) {
    this.present = !db.readonly || db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'rule_state'").get() !== undefined;
    if (db.readonly) return;
    db.exec(`CREATE TABLE IF NOT EXISTS rule_state (
      rule_id TEXT PRIMARY KEY,
      enabled INTEGER NOT NULL,
      changed_by TEXT NOT NULL,
      changed_at INTEGER NOT NULL,
      reason TEXT,
      version INTEGER NOT NULL
    ) WITHOUT ROWID`);
  }

  /** Every override, by rule id; rules without one run as their file says. */
  all(): Map<string, RuleState> {
    if (!this.present) return new Map();
    const rows = this.db.prepare(`SELECT ${COLUMNS} FROM rule_state`).all() as RuleStateRow[];
    return new Map(rows.map((row) => [row.ruleId, stateOf(row)]));
  }

  get(ruleId: string): RuleState | undefined {
    if (!this.present) return undefined;
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM rule_state WHERE rule_id = ?`).get(ruleId) as RuleStateRow | undefined;
    return row && stateOf(row);
  }

  /** Records the choice (call it inside the transaction that records the admin action). */
  set(state: RuleState): void {
    this.db
      .prepare(
        `INSERT INTO rule_state (rule_id, enabled, changed_by, changed_at, reason, version)
         VALUES (@ruleId, @enabled, @changedBy, @changedAt, @reason, (SELECT coalesce(max(version), 0) + 1 FROM rule_state))
         ON CONFLICT (rule_id) DO UPDATE SET enabled = excluded.enabled, changed_by = excluded.changed_by,
           changed_at = excluded.changed_at, reason = excluded.reason, version = excluded.version`,
      )
      .run({ ...state, enabled: state.enabled ? 1 : 0, reason: state.reason ?? null });
  }

  /**
   * Enables or disables a rule and records who did it, why and from what, in one transaction:
   * both are stored or neither. Returns false (and records nothing) when the rule already is so.
   */
  change(change: RuleChange, record: (action: AdminAction) => void, now: number = Date.now()): boolean {
    const { ruleId, enabled, by, reason } = change;
    return this.db.transaction(() => {
      const from = effectiveEnabled(this.all(), ruleId, change.fileDefault);
      if (from === enabled) return false;
      this.set({ ruleId, enabled, changedBy: by, changedAt: now, reason });
      record({
        action: enabled ? 'rule.enable' : 'rule.disable',
        outcome: 'success',
        summary: `rule ${ruleId} ${enabled ? 'enabled' : 'disabled'} by ${by}${reason ? `: ${reason}` : ''}`,
        details: { by, rule: ruleId, title: change.title, from: from ? 'enabled' : 'disabled', to: enabled ? 'enabled' : 'disabled', ...(reason ? { reason } : {}) },
      });
      return true;
    })();
  }

  /** Grows with every change; 0 before any. */
  version(): number {
    if (!this.present) return 0;
    // Asked before every batch of a running server, hence the statement is kept.
    this.versionQuery ??= this.db.prepare('SELECT coalesce(max(version), 0) FROM rule_state').pluck();
    return this.versionQuery.get() as number;
  }
}

/** Whether a rule runs: the operator's choice when there is one, else its file's `enabled:`. */
export function effectiveEnabled(states: ReadonlyMap<string, RuleState>, ruleId: string, fileDefault: boolean): boolean {
  return states.get(ruleId)?.enabled ?? fileDefault;
}

function stateOf(row: RuleStateRow): RuleState {
  return { ruleId: row.ruleId, enabled: row.enabled === 1, changedBy: row.changedBy, changedAt: row.changedAt, ...(row.reason === null ? {} : { reason: row.reason }) };
}
