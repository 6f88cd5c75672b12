import type { AlertStore } from '../detect/alert-store.js';
import type { SqliteDatabase } from '../store/sqlite/database.js';
import type { AdminRecorder } from './admin-recorder.js';
import { type AlertingState, openAlertingState } from './alerting-state.js';
import type { AlertingConfig } from './config.js';
import { Dispatcher, type DispatcherLog } from './dispatcher.js';
import { AlertNotifier } from './notifier.js';
import { NotifyingAlertStore } from './notifying-alert-store.js';
import { AlertService } from './service.js';

export interface AlertingRuntime {
  state: AlertingState;
  notifier: AlertNotifier;
  dispatcher: Dispatcher;
  service: AlertService;
  /** The store to give the detection stage: what it upserts is evaluated for notification. */
  alertStore: AlertStore;
  /** What the start found worth telling the operator (e.g. stored routes that no longer fit). */
  warnings: string[];
  /** Stops the timers; waits (bounded) for deliveries in flight. */
  stop(): Promise<void>;
}

/** Delivered notifications are kept this long for `vigil alerts deliveries`. */
const DELIVERED_RETENTION_MS = 7 * 86_400_000;
const PRUNE_EVERY_MS = 3_600_000;

/**
 * Alerting inside `vigil serve`: evaluates on a timer (and at once when detection hands in
 * alerts) and drains the outbox. Timers are unref'd: they never keep the process alive. `log`
 * is only used from timers, never during this call.
 * Everything they act on is in the database, so a restart (even after kill -9) continues where
 * the last run stopped: pending escalations keep their due times, undelivered notifications
 * are sent, nothing decided twice. With `sharedAlerts` (scale-out) the API lists alerts from
 * there; the caller feeds their changes in through a SharedAlertMirror.
 */
export async function startAlerting(db: SqliteDatabase, recorder: AdminRecorder, fileConfig: AlertingConfig, log: DispatcherLog, sharedAlerts?: AlertStore): Promise<AlertingRuntime> {
  const warnings: string[] = [];
  const state = openAlertingState(db, recorder);
  let config = fileConfig;
  const service = new AlertService(state, recorder, {
    config: () => config,
    fileConfig,
    onRoutesChanged: (next) => {
      config = next;
      notifier.setConfig(next);
    },
    onQueued: () => evaluateSoon(),
    alerts: sharedAlerts,
  });
  config = service.withStoredRoutes(fileConfig, (message) => warnings.push(message));
  const notifier = new AlertNotifier(state, config, (error, what) => log.error({ err: error }, `alerting: evaluating ${what} failed; retrying`));
  const dispatcher = new Dispatcher(state.outbox, config.receivers, { log });
  await recoverInbox(state);

  let evaluating = false;
  let again = false;
  let prunedAt = 0;
  const evaluate = () => {
    if (evaluating) {
      again = true;
      return;
    }
    evaluating = true;
    try {
      const now = Date.now();
      const summary = notifier.tick(now);
      if (summary.notifications > 0) dispatcher.wake();
      if (now - prunedAt > PRUNE_EVERY_MS) {
        state.outbox.pruneDelivered(now - DELIVERED_RETENTION_MS);
        prunedAt = now;
      }
    } catch (error) {
      log.error({ err: error }, 'alerting: evaluation failed; retrying at the next interval');
    } finally {
      evaluating = false;
    }
    if (again) {
      again = false;
      evaluateSoon();
    }
  };
  let soon: NodeJS.Immediate | undefined;
  const evaluateSoon = () => {
    soon ??= setImmediate(() => {
      soon = undefined;
      evaluate();
    });
  };
  const timer = setInterval(evaluate, config.evaluationIntervalMs);
  timer.unref();
  dispatcher.start();
  evaluateSoon();
  return {
    warnings,
    state,
    notifier,
    dispatcher,
    service,
    alertStore: new NotifyingAlertStore(state.alerts, state.inbox, evaluateSoon),
    async stop() {
      clearInterval(timer);
      if (soon) clearImmediate(soon);
      await dispatcher.stop();
    },
  };
}

/** Inbox items whose upsert a crash cut off are upserted now, so their alerts exist. */
async function recoverInbox(state: AlertingState): Promise<void> {
  const missing = state.inbox.after(0, Number.MAX_SAFE_INTEGER).filter((item) => state.rows.get(item.alert.id) === undefined);
  if (missing.length > 0) await state.alerts.upsertAlerts(missing.map((item) => item.alert));
}
