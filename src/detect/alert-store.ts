import type { AlertJson } from './alert.js';
import type { Severity } from './rule-schema.js';

export type AlertStatus = 'open' | 'acknowledged' | 'resolved';

export interface StoredAlert extends AlertJson {
  status: AlertStatus;
  /** Cluster the alert's events came from (also in `entity.cluster`), for filtering. */
  cluster: string;
  updatedAt: string;
}

export interface AlertFilter {
  status?: AlertStatus;
  /** Minimum severity. */
  severity?: Severity;
  ruleId?: string;
  cluster?: string;
  /** Only alerts last seen at or after this time (epoch ms). */
  since?: number;
  limit?: number;
}

/**
 * Where `vigil ingest` / `vigil serve` keep alerts for `vigil alerts list|show` and the API.
 * `upsert` is called with every opened or grown alert (same id = same alert), so replays and
 * restarts are idempotent. Implemented by the store adapters, not by the detection engine.
 */
export interface AlertStore {
  upsertAlerts(alerts: readonly AlertJson[]): Promise<void>;
  listAlerts(filter: AlertFilter): Promise<StoredAlert[]>;
  getAlert(id: string): Promise<StoredAlert | undefined>;
  setAlertStatus(id: string, status: AlertStatus): Promise<boolean>;
}
