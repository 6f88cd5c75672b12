import type { AlertFilter, AlertStatus, AlertStore, StoredAlert } from '../detect/alert-store.js';
import type { AlertJson } from '../detect/alert.js';
import type { AlertInbox } from './alert-inbox.js';

/**
 * The alert store `vigil serve` hands the detection stage: alerts opened or grown go into the
 * alerting inbox (first, so a crash cannot lose them) and then to the store as before; `onAdded`
 * lets the alerting loop evaluate them right away. `vigil ingest` uses the plain store, so batch
 * and forensic runs notify nobody.
 */
export class NotifyingAlertStore implements AlertStore {
  constructor(
    private readonly inner: AlertStore,
    private readonly inbox: AlertInbox,
    private readonly onAdded: () => void,
  ) {}

  async upsertAlerts(alerts: readonly AlertJson[]): Promise<void> {
    if (alerts.length === 0) return;
    this.inbox.add(alerts, Date.now());
    await this.inner.upsertAlerts(alerts);
    this.onAdded();
  }

  listAlerts(filter: AlertFilter): Promise<StoredAlert[]> {
    return this.inner.listAlerts(filter);
  }

  getAlert(id: string): Promise<StoredAlert | undefined> {
    return this.inner.getAlert(id);
  }

  setAlertStatus(id: string, status: AlertStatus): Promise<boolean> {
    return this.inner.setAlertStatus(id, status);
  }
}
