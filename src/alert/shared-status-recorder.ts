import type { AlertStatus, AlertStore } from '../detect/alert-store.js';
import type { AdminDetails, AdminRecorder } from './admin-recorder.js';

/** Who acts when this server adopts a status another API server set in the shared alert store. */
export const SHARED_STORE_ACTOR = 'another Vigil server';

const STATUSES: readonly AlertStatus[] = ['open', 'acknowledged', 'resolved'];

/**
 * Scale-out: the alerts' lifecycle runs in this server's data directory, their status is shared
 * in the workers' alert store so every API server shows the same one. This recorder passes every
 * action on to the ledger and keeps the status each transition decided here (acknowledge,
 * resolve, reopen, auto-resolve) until `flush` writes it to the shared store. An alert's first
 * opening is not kept: it is open there already, and writing it could undo an acknowledgement
 * made meanwhile on another server.
 */
export class SharedStatusRecorder implements AdminRecorder {
  private readonly pending = new Map<string, AlertStatus>();

  constructor(private readonly inner: AdminRecorder) {}

  record(action: string, details: AdminDetails): void {
    this.inner.record(action, details);
    const { alertId, from, to } = details;
    if (!action.startsWith('alert.') || typeof alertId !== 'string' || from === null || from === undefined) return;
    if (details.by === SHARED_STORE_ACTOR || !STATUSES.includes(to as AlertStatus)) return;
    this.pending.set(alertId, to as AlertStatus);
  }

  /** Writes the kept statuses, oldest decision first; what fails stays kept for the next flush. */
  async flush(shared: AlertStore): Promise<void> {
    for (const [alertId, status] of [...this.pending]) {
      await shared.setAlertStatus(alertId, status);
      // A later decision on the same alert may have replaced this one while the write ran.
      if (this.pending.get(alertId) === status) this.pending.delete(alertId);
    }
  }
}
