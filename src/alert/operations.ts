import type { AlertFilter, StoredAlert } from '../detect/alert-store.js';
import type { DeliveryStatus } from '../store/sqlite/outbox.js';
import type { Escalation } from './escalation.js';
import type { Transition } from './lifecycle.js';
import type { AlertEvent } from './notification.js';
import type { Silence, SilenceState } from './silences.js';

/** An alert as people see it: stored alert, lifecycle, and whether it is suppressed now. */
export interface AlertView extends StoredAlert {
  incidentKey: string;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
  reason: string | null;
  reopenCount: number;
  silencedBy: string[];
  inhibitedBy: string[];
}

export interface EscalationView {
  route: string;
  policy: string;
  startedAt: string;
  nextTier: number;
  tiers: number;
  repeatsDone: number;
  nextDueAt: string | null;
}

/** The alert operations as done by an actor: AlertService, or it wrapped for a shared alert store. */
export interface AlertActors {
  as(actor: string): AlertOperations;
}

export interface AlertDetail extends AlertView {
  transitions: Array<Omit<Transition, 'at'> & { at: string }>;
  escalations: EscalationView[];
  /** Receivers that were told about it (they get its acknowledgement and resolution). */
  notified: string[];
  deliveries: DeliveryView[];
}

export interface DeliveryView {
  id: number;
  receiver: string;
  status: DeliveryStatus;
  attempts: number;
  createdAt: string;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  lastError: string | null;
  tier: number | null;
  alerts: Array<{ id: string; event: AlertEvent }>;
}

export interface SilenceView extends Omit<Silence, 'startsAt' | 'endsAt' | 'createdAt'> {
  state: SilenceState;
  startsAt: string;
  endsAt: string;
  createdAt: string;
}

export interface SilenceInput {
  matchers: string[];
  /** Defaults to now. */
  startsAt?: string;
  /** Either `endsAt` or `duration` (e.g. `2h`). */
  endsAt?: string;
  duration?: string;
  comment: string;
}

export interface RoutesView {
  route: unknown;
  /** `config` (the file's) or `api` (set by an admin). */
  source: 'config' | 'api';
  updatedBy?: string;
  updatedAt?: string;
}

export interface DeliveryFilter {
  status?: DeliveryStatus;
  receiver?: string;
  alertId?: string;
  limit?: number;
}

/**
 * What `vigil alerts …` and `/api/v1/alerts` offer, the same whether run against the data
 * directory or a server (`--server URL`). The actor is the caller: the OS user (or `--actor`)
 * locally, the bearer token's name through the API.
 */
export interface AlertOperations {
  list(filter: AlertFilter): Promise<AlertView[]>;
  show(id: string): Promise<AlertDetail | undefined>;
  acknowledge(id: string, reason: string): Promise<AlertView>;
  resolve(id: string, reason: string): Promise<AlertView>;
  silence(input: SilenceInput): Promise<SilenceView>;
  unsilence(id: string): Promise<SilenceView>;
  silences(): Promise<SilenceView[]>;
  deliveries(filter: DeliveryFilter): Promise<DeliveryView[]>;
  requeue(id: number): Promise<DeliveryView>;
  /** The route tree in force, as written. */
  routes(): Promise<RoutesView>;
  /** Admin: replaces the route tree (validated against the configured receivers and escalations). */
  replaceRoutes(route: unknown): Promise<RoutesView>;
  /** Admin: drops the routes set through the API; the config file's apply again. */
  resetRoutes(): Promise<RoutesView>;
}

export function escalationView(escalation: Escalation): EscalationView {
  return {
    route: escalation.group.routeId,
    policy: escalation.plan.name,
    startedAt: new Date(escalation.startedAt).toISOString(),
    nextTier: escalation.nextTier,
    tiers: escalation.plan.tiers.length,
    repeatsDone: escalation.repeatsDone,
    nextDueAt: escalation.nextDueAt === null ? null : new Date(escalation.nextDueAt).toISOString(),
  };
}
