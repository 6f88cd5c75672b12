import { type AdminAction, adminEvent } from '../ledger/admin-record.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';

/**
 * Where Vigil's own alerting actions (acknowledge, resolve, reopen, silence, route edits) are
 * recorded. `record` runs inside the caller's transaction, so an action and its record are
 * stored together or not at all.
 */
export interface AdminRecorder {
  /** `action` is dotted (`alert.acknowledge`); `details` must say who, what and why. */
  record(action: string, details: AdminDetails): void;
}

export interface AdminDetails extends Record<string, unknown> {
  /** Who did it: a token name, an OS user, or `vigil` for automatic transitions. */
  by: string;
  /** One line for people. */
  summary: string;
}

/** What appends admin actions to the ledger: `vigil serve`'s LedgerSession, or a store directly. */
export interface AdminActionLog {
  record(action: AdminAction): void;
}

/** Records actions as `vigil.admin` records in the tamper-evident ledger (src/ledger/admin-record.ts). */
export class LedgerAdminRecorder implements AdminRecorder {
  constructor(private readonly log: AdminActionLog) {}

  /** For commands that hold the store but no ledger session (the CLI on a data directory). */
  static forStore(store: SqliteStore): LedgerAdminRecorder {
    return new LedgerAdminRecorder({
      record(action) {
        const appended = store.appendSync([adminEvent(action)]);
        if (appended.accepted !== 1) throw new Error(`the ledger did not accept the ${action.action} record; the action was not taken`);
      },
    });
  }

  record(action: string, details: AdminDetails): void {
    const { summary, ...rest } = details;
    this.log.record({ action, outcome: 'success', summary, details: rest });
  }
}
