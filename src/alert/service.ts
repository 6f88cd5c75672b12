import type { AlertFilter, AlertStore, StoredAlert } from '../detect/alert-store.js';
import { parseDuration } from '../detect/duration.js';
import type { OutboxEntry } from '../store/sqlite/outbox.js';
import { AlertActions } from './actions.js';
import type { AdminRecorder } from './admin-recorder.js';
import { AlertActionError } from './alert-action-error.js';
import type { AlertingState } from './alerting-state.js';
import { type AlertingConfig, AlertingConfigError, parseRouteTree } from './config.js';
import type { LifecycleState } from './lifecycle.js';
import type { Notification } from './notification.js';
import {
  type AlertDetail,
  type AlertOperations,
  type AlertView,
  type DeliveryFilter,
  type DeliveryView,
  escalationView,
  type RoutesView,
  type SilenceInput,
  type SilenceView,
} from './operations.js';
import { RouteOverride } from './route-override.js';
import { type Silence, silenceState } from './silences.js';
import { Suppressor } from './suppression.js';

export interface AlertServiceOptions {
  /** The config in force (receivers, routes, inhibition); the lifecycle-only default without one. */
  config: () => AlertingConfig;
  /** The config as the file has it, for `resetRoutes` (default: `config()`). */
  fileConfig?: AlertingConfig;
  /** Called after an admin replaced or cleared the routes, with the config to use from now on. */
  onRoutesChanged?: (config: AlertingConfig) => void;
  /** Called after anything that may have queued notifications (acknowledge, resolve, requeue). */
  onQueued?: () => void;
  clock?: () => number;
  /**
   * Where list and show read alerts and their status (default: the data directory's). Scale-out
   * (`serve --store clickhouse://…`): the shared store the workers write, which the data
   * directory only mirrors (see shared-alerts.ts).
   */
  alerts?: AlertStore;
}

/**
 * Alert operations over the data directory, as one actor: `vigil alerts …` without `--server`
 * uses it with the OS user, the API with the bearer token's name.
 */
export class AlertService {
  private readonly actions: AlertActions;
  private readonly override: RouteOverride;
  private readonly clock: () => number;
  private readonly readAlerts: AlertStore;

  constructor(
    private readonly state: AlertingState,
    private readonly recorder: AdminRecorder,
    private readonly options: AlertServiceOptions,
  ) {
    this.actions = new AlertActions(state);
    this.override = new RouteOverride(state.db);
    this.clock = options.clock ?? Date.now;
    this.readAlerts = options.alerts ?? state.alerts;
  }

  /** The operations as done by `actor`. */
  as(actor: string): AlertOperations {
    return {
      list: async (filter) => this.list(filter),
      show: async (id) => this.show(id),
      acknowledge: async (id, reason) => this.view(this.acted(() => this.actions.acknowledge(id, actor, reason, this.clock()))),
      resolve: async (id, reason) => this.view(this.acted(() => this.actions.resolve(id, actor, reason, this.clock()))),
      silence: async (input) => silenceView(this.state.silences.create({ ...silenceTimes(input, this.clock()), matchers: input.matchers, comment: input.comment, createdBy: actor }, this.clock()), this.clock()),
      unsilence: async (id) => silenceView(this.state.silences.expire(id, actor, this.clock()), this.clock()),
      silences: async () => this.state.silences.current(this.clock()).map((silence) => silenceView(silence, this.clock())),
      deliveries: async (filter) => this.deliveries(filter),
      requeue: async (id) => this.requeue(id, actor),
      routes: async () => this.routes(),
      replaceRoutes: async (route) => this.replaceRoutes(route, actor),
      resetRoutes: async () => this.resetRoutes(actor),
    };
  }

  /** The route tree stored by an admin, applied on top of a freshly loaded config (at start). */
  withStoredRoutes(config: AlertingConfig, warn: (message: string) => void): AlertingConfig {
    const stored = this.override.get();
    if (!stored) return config;
    try {
      return { ...config, route: parseRouteTree(stored.route, config.routeContext), routeInput: stored.route };
    } catch (error) {
      warn(`the routes set through the API by ${stored.updatedBy} no longer fit the config (${(error as Error).message}); using the config file's routes`);
      return config;
    }
  }

  async list(filter: AlertFilter): Promise<AlertView[]> {
    const suppressor = this.suppressor();
    return (await this.readAlerts.listAlerts(filter)).map((alert) => this.toView(alert, suppressor));
  }

  async show(id: string): Promise<AlertDetail | undefined> {
    const stored = await this.readAlerts.getAlert(id);
    if (!stored) return undefined;
    const view = this.toView(stored, this.suppressor());
    return {
      ...view,
      transitions: this.state.lifecycle.transitions(id).map((transition) => ({ ...transition, at: new Date(transition.at).toISOString() })),
      escalations: this.state.escalations.forAlert(id).map(escalationView),
      notified: this.state.buffer.receiversTold(id),
      deliveries: this.state.outbox.list({ alertId: id, limit: 100 }).map(deliveryView),
    };
  }

  deliveries(filter: DeliveryFilter): DeliveryView[] {
    return this.state.outbox.list(filter).map(deliveryView);
  }

  routes(): RoutesView {
    const stored = this.override.get();
    if (stored) return { route: stored.route, source: 'api', updatedBy: stored.updatedBy, updatedAt: new Date(stored.updatedAt).toISOString() };
    return { route: this.options.config().routeInput, source: 'config' };
  }

  private replaceRoutes(route: unknown, by: string): RoutesView {
    const config = this.options.config();
    let compiled;
    try {
      compiled = parseRouteTree(route, config.routeContext);
    } catch (error) {
      if (error instanceof AlertingConfigError) throw new AlertActionError(error.problems.join('; '), 'invalid');
      throw error;
    }
    const now = this.clock();
    this.state.db.transaction(() => {
      this.override.set(route, by, now);
      this.recorder.record('alert.routes.replace', { by, summary: `alert routes replaced by ${by}`, route });
    })();
    this.options.onRoutesChanged?.({ ...config, route: compiled, routeInput: route });
    return this.routes();
  }

  private resetRoutes(by: string): RoutesView {
    const fileConfig = this.options.fileConfig ?? this.options.config();
    this.state.db.transaction(() => {
      if (!this.override.clear()) throw new AlertActionError('no routes were set through the API; the config file\'s are in force', 'conflict');
      this.recorder.record('alert.routes.reset', { by, summary: `alert routes set through the API dropped by ${by}; the config file's apply` });
    })();
    this.options.onRoutesChanged?.(fileConfig);
    return this.routes();
  }

  private requeue(id: number, by: string): DeliveryView {
    const entry = this.state.outbox.get(id);
    if (!entry) throw new AlertActionError(`no delivery with id ${id}; see vigil alerts deliveries`, 'not-found');
    if (entry.status !== 'dead') throw new AlertActionError(`delivery ${id} is ${entry.status}; only dead letters can be requeued`, 'conflict');
    this.state.db.transaction(() => {
      this.state.outbox.requeue(id, this.clock());
      this.recorder.record('alert.delivery.requeue', { by, summary: `delivery ${id} to ${entry.receiver} requeued by ${by}`, delivery: id, receiver: entry.receiver });
    })();
    this.options.onQueued?.();
    return deliveryView(this.state.outbox.get(id) as OutboxEntry);
  }

  private acted(action: () => LifecycleState): string {
    const state = action();
    this.options.onQueued?.();
    return state.alertId;
  }

  private async view(id: string): Promise<AlertView> {
    const stored = await this.readAlerts.getAlert(id);
    if (!stored) throw new AlertActionError(`alert ${id} disappeared`, 'not-found');
    return this.toView(stored, this.suppressor());
  }

  private suppressor(): Suppressor {
    return Suppressor.at(this.clock(), this.state.silences, this.state.rows, this.options.config().inhibitRules);
  }

  private toView(alert: StoredAlert, suppressor: Suppressor): AlertView {
    const life = this.state.lifecycle.get(alert.id);
    const iso = (time: number | null | undefined) => (time === null || time === undefined ? null : new Date(time).toISOString());
    return {
      ...alert,
      incidentKey: life?.incidentKey ?? alert.id,
      acknowledgedBy: life?.acknowledgedBy ?? null,
      acknowledgedAt: iso(life?.acknowledgedAt),
      resolvedBy: life?.resolvedBy ?? null,
      resolvedAt: iso(life?.resolvedAt),
      reason: life?.reason ?? null,
      reopenCount: life?.reopenCount ?? 0,
      ...suppressor.check(alert),
    };
  }
}

function silenceTimes(input: SilenceInput, now: number): { startsAt: number; endsAt: number } {
  const startsAt = input.startsAt === undefined ? now : parseTime(input.startsAt, 'startsAt');
  if (input.endsAt !== undefined && input.duration !== undefined) throw new AlertActionError('give either endsAt or duration, not both', 'invalid');
  if (input.endsAt !== undefined) return { startsAt, endsAt: parseTime(input.endsAt, 'endsAt') };
  if (input.duration === undefined) throw new AlertActionError('a silence needs an end: endsAt (RFC 3339) or duration (e.g. 2h)', 'invalid');
  try {
    return { startsAt, endsAt: startsAt + parseDuration(input.duration) };
  } catch (error) {
    throw new AlertActionError(`duration: ${(error as Error).message}`, 'invalid');
  }
}

function parseTime(text: string, key: string): number {
  const time = Date.parse(text);
  if (Number.isNaN(time)) throw new AlertActionError(`${key}: "${text}" is not an RFC 3339 time`, 'invalid');
  return time;
}

function silenceView(silence: Silence, now: number): SilenceView {
  return {
    ...silence,
    state: silenceState(silence, now),
    startsAt: new Date(silence.startsAt).toISOString(),
    endsAt: new Date(silence.endsAt).toISOString(),
    createdAt: new Date(silence.createdAt).toISOString(),
  };
}

function deliveryView(entry: OutboxEntry): DeliveryView {
  const notification = JSON.parse(entry.payload) as Notification;
  return {
    id: entry.id,
    receiver: entry.receiver,
    status: entry.status,
    attempts: entry.attempts,
    createdAt: new Date(entry.createdAt).toISOString(),
    nextAttemptAt: entry.status === 'pending' ? new Date(entry.nextAttemptAt).toISOString() : null,
    deliveredAt: entry.deliveredAt === null ? null : new Date(entry.deliveredAt).toISOString(),
    lastError: entry.lastError,
    tier: notification.tier ?? null,
    alerts: notification.alerts.map((alert) => ({ id: alert.id, event: alert.event })),
  };
}
