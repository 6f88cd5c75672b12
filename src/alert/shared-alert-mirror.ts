import type { AlertStatus, AlertStore, StoredAlert } from '../detect/alert-store.js';
import type { AlertJson } from '../detect/alert.js';
import { AlertActions } from './actions.js';
import { AlertActionError } from './alert-action-error.js';
import type { AlertingState } from './alerting-state.js';
import type { AlertActors } from './operations.js';
import { SHARED_STORE_ACTOR, type SharedStatusRecorder } from './shared-status-recorder.js';

/** Alerts read per poll: the most recently active ones. */
const DEFAULT_POLL_LIMIT = 10_000;
const SETTLEDNESS: Record<AlertStatus, number> = { open: 0, acknowledged: 1, resolved: 2 };

export interface MirrorRound {
  /** Alerts new to this server or grown since the last round, handed to alerting for notification. */
  fed: number;
  /** Alerts acknowledged or resolved on another API server, taken over here. */
  adopted: number;
}

/**
 * Scale-out (`vigil serve --store clickhouse://…`): the workers raise alerts into the shared
 * alert store; this server's alerting (lifecycle, routing, escalation, outbox) runs on a mirror
 * of them in its data directory. Each round reads the shared store's most recently active
 * alerts and hands the new and grown ones to alerting as the detection stage does in the
 * embedded mode (`notifying`), so they are routed and notified. An alert that another API
 * server acknowledged or resolved is taken over (its escalation stops here too); one first seen
 * already settled is mirrored without notification. Rounds and actions run one at a time.
 */
export class SharedAlertMirror {
  private readonly actions: AlertActions;
  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly shared: AlertStore,
    private readonly state: AlertingState,
    /** The alerting runtime's store: what is upserted there is evaluated for notification. */
    private readonly notifying: AlertStore,
    private readonly statuses: SharedStatusRecorder,
    private readonly options: { pollLimit?: number; clock?: () => number } = {},
  ) {
    this.actions = new AlertActions(state);
  }

  /** Polls now and then every `intervalMs`; the timer never keeps the process alive. */
  start(intervalMs: number, onError: (error: unknown) => void): void {
    const round = () => void this.poll().catch(onError);
    this.timer = setInterval(round, intervalMs);
    this.timer.unref();
    round();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.chain.catch(() => undefined);
  }

  /** Writes the statuses decided here, then mirrors what changed in the shared store. */
  poll(): Promise<MirrorRound> {
    return this.serialized(async () => {
      await this.statuses.flush(this.shared);
      const alerts = await this.shared.listAlerts({ limit: this.options.pollLimit ?? DEFAULT_POLL_LIMIT });
      return this.mirror(alerts);
    });
  }

  /**
   * The API's operations with the shared store kept in step: before a person acts on an alert it
   * is mirrored from the shared store (so an acknowledgement made elsewhere answers 409 here), and
   * the status the action decided is written there before the answer.
   */
  operations(alerting: AlertActors): AlertActors {
    return {
      as: (actor) => {
        const local = alerting.as(actor);
        const acted = async (id: string, action: () => Promise<unknown>) => {
          await this.serialized(async () => {
            const alert = await this.shared.getAlert(id);
            if (alert) await this.mirror([alert]);
          });
          await action();
          await this.serialized(() => this.statuses.flush(this.shared));
          const view = await local.show(id);
          if (!view) throw new AlertActionError(`alert ${id} disappeared from the shared alert store`, 'not-found');
          return view;
        };
        return {
          ...local,
          acknowledge: (id, reason) => acted(id, () => local.acknowledge(id, reason)),
          resolve: (id, reason) => acted(id, () => local.resolve(id, reason)),
        };
      },
    };
  }

  private async mirror(alerts: readonly StoredAlert[]): Promise<MirrorRound> {
    const now = this.options.clock?.() ?? Date.now();
    const grown: AlertJson[] = [];
    const settledElsewhere: StoredAlert[] = [];
    for (const alert of alerts) {
      const local = this.state.rows.get(alert.id);
      if (local === undefined && alert.status !== 'open') {
        await this.state.alerts.upsertAlerts([contentOf(alert)]);
        this.state.rows.setStatus(alert.id, alert.status, now);
      } else if (local === undefined || local.alert.count !== alert.count || local.alert.lastSeen !== alert.lastSeen) {
        grown.push(contentOf(alert));
      } else if (SETTLEDNESS[alert.status] > SETTLEDNESS[local.status]) {
        settledElsewhere.push(alert);
      }
    }
    if (grown.length > 0) await this.notifying.upsertAlerts(grown);
    let adopted = 0;
    for (const alert of settledElsewhere) if (this.adopt(alert, now)) adopted += 1;
    return { fed: grown.length, adopted };
  }

  private adopt(alert: StoredAlert, now: number): boolean {
    const reason = `${alert.status} on another Vigil server (seen in the shared alert store)`;
    try {
      if (alert.status === 'acknowledged') this.actions.acknowledge(alert.id, SHARED_STORE_ACTOR, reason, now);
      else this.actions.resolve(alert.id, SHARED_STORE_ACTOR, reason, now);
      return true;
    } catch (error) {
      if (error instanceof AlertActionError && error.kind === 'conflict') return false;
      throw error;
    }
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const next = this.chain.catch(() => undefined).then(work);
    this.chain = next;
    return next;
  }
}

/** The alert as the detection engine made it, without the store's status columns. */
function contentOf(alert: StoredAlert): AlertJson {
  const { status: _status, cluster: _cluster, updatedAt: _updatedAt, ...content } = alert;
  return content;
}
