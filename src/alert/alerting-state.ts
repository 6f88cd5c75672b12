import { SqliteAlertStore } from '../store/sqlite/alert-store.js';
import { SqliteOutbox } from '../store/sqlite/outbox.js';
import type { SqliteDatabase } from '../store/sqlite/database.js';
import type { AdminRecorder } from './admin-recorder.js';
import { AlertInbox } from './alert-inbox.js';
import { AlertRows } from './alert-rows.js';
import { EscalationTable } from './escalation.js';
import { AlertLifecycle } from './lifecycle.js';
import { NotificationBuffer } from './notification-buffer.js';
import { SilenceStore } from './silences.js';

/** Every table of the alerting side of one database, created on first use. */
export interface AlertingState {
  db: SqliteDatabase;
  alerts: SqliteAlertStore;
  rows: AlertRows;
  lifecycle: AlertLifecycle;
  silences: SilenceStore;
  escalations: EscalationTable;
  buffer: NotificationBuffer;
  inbox: AlertInbox;
  outbox: SqliteOutbox;
}

export function openAlertingState(db: SqliteDatabase, recorder: AdminRecorder): AlertingState {
  // The alerts table belongs to SqliteAlertStore, which creates it.
  const alerts = new SqliteAlertStore(db);
  return {
    db,
    alerts,
    rows: new AlertRows(db),
    lifecycle: new AlertLifecycle(db, recorder),
    silences: new SilenceStore(db, recorder),
    escalations: new EscalationTable(db),
    buffer: new NotificationBuffer(db),
    inbox: new AlertInbox(db),
    outbox: new SqliteOutbox(db),
  };
}
