import type { SqliteDatabase } from './database.js';

export const DELIVERY_STATUSES = ['pending', 'delivering', 'delivered', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface NewOutboxItem {
  receiver: string;
  /** Items with the same key are delivered one at a time, in the order they were added. */
  orderKey: string;
  /** Same on every attempt; receivers deduplicate by it. */
  idempotencyKey: string;
  /** The notification, as JSON. */
  payload: string;
  alertIds: readonly string[];
}

export interface OutboxEntry {
  id: number;
  receiver: string;
  orderKey: string;
  idempotencyKey: string;
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number;
  createdAt: number;
  updatedAt: number;
  deliveredAt: number | null;
  lastError: string | null;
  alertIds: string[];
}

export interface OutboxFilter {
  status?: DeliveryStatus;
  receiver?: string;
  alertId?: string;
  limit?: number;
}

export interface OutboxCount {
  receiver: string;
  status: DeliveryStatus;
  count: number;
}

interface OutboxRow {
  id: number;
  receiver: string;
  order_key: string;
  idempotency_key: string;
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: number;
  created_at: number;
  updated_at: number;
  delivered_at: number | null;
  last_error: string | null;
  alert_ids: string;
}

/**
 * The durable outbox of notifications: written in the same transaction as the decision to
 * notify, so nothing decided is lost; an item leaves `pending` only when its receiver took it
 * (`delivered`) or after its last attempt (`dead`). `delivering` items carry a lease: a process
 * that died mid-send leaves them to be retried (at-least-once).
 */
export class SqliteOutbox {
  private readonly statements;

  constructor(private readonly db: SqliteDatabase) {
    db.exec(`CREATE TABLE IF NOT EXISTS alert_outbox (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      receiver TEXT NOT NULL,
      order_key TEXT NOT NULL,
      idempotency_key TEXT NOT NULL,
      payload TEXT NOT NULL,
      status TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER NOT NULL,
      lease_until INTEGER,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      delivered_at INTEGER,
      last_error TEXT,
      alert_ids TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS alert_outbox_ready ON alert_outbox (status, receiver, next_attempt_at);
    CREATE INDEX IF NOT EXISTS alert_outbox_order ON alert_outbox (order_key, id);
    CREATE TABLE IF NOT EXISTS alert_outbox_alerts (alert_id TEXT NOT NULL, outbox_id INTEGER NOT NULL, PRIMARY KEY (alert_id, outbox_id)) WITHOUT ROWID;`);
    this.statements = {
      insert: db.prepare(`INSERT INTO alert_outbox (receiver, order_key, idempotency_key, payload, status, next_attempt_at, created_at, updated_at, alert_ids)
        VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?)`),
      insertAlert: db.prepare('INSERT OR IGNORE INTO alert_outbox_alerts (alert_id, outbox_id) VALUES (?, ?)'),
      // The head (oldest unsettled item) of each order key, longest due first so that no key starves.
      ready: db.prepare(`SELECT * FROM alert_outbox o
        WHERE o.status = 'pending' AND o.receiver = ? AND o.next_attempt_at <= ?
          AND NOT EXISTS (SELECT 1 FROM alert_outbox p WHERE p.order_key = o.order_key AND p.id < o.id AND p.status IN ('pending', 'delivering'))
        ORDER BY o.next_attempt_at, o.id LIMIT ?`),
      lease: db.prepare(`UPDATE alert_outbox SET status = 'delivering', lease_until = ?, attempts = attempts + 1, updated_at = ? WHERE id = ? AND status = 'pending'`),
      delivered: db.prepare(`UPDATE alert_outbox SET status = 'delivered', delivered_at = ?, updated_at = ?, lease_until = NULL, last_error = NULL WHERE id = ?`),
      retry: db.prepare(`UPDATE alert_outbox SET status = 'pending', next_attempt_at = ?, updated_at = ?, lease_until = NULL, last_error = ? WHERE id = ?`),
      dead: db.prepare(`UPDATE alert_outbox SET status = 'dead', updated_at = ?, lease_until = NULL, last_error = ? WHERE id = ?`),
      expiredLeases: db.prepare(`UPDATE alert_outbox SET status = 'pending', lease_until = NULL, updated_at = ?, last_error = coalesce(last_error, 'interrupted while sending')
        WHERE status = 'delivering' AND (lease_until IS NULL OR lease_until <= ?)`),
      requeue: db.prepare(`UPDATE alert_outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ? WHERE id = ? AND status = 'dead'`),
      get: db.prepare('SELECT * FROM alert_outbox WHERE id = ?'),
      counts: db.prepare('SELECT receiver, status, count(*) AS count FROM alert_outbox GROUP BY receiver, status ORDER BY receiver, status'),
      pendingReceivers: db.prepare(`SELECT DISTINCT receiver FROM alert_outbox WHERE status = 'pending'`),
      nextDue: db.prepare(`SELECT min(next_attempt_at) FROM alert_outbox WHERE status = 'pending'`),
      prune: db.prepare(`DELETE FROM alert_outbox WHERE status = 'delivered' AND delivered_at < ? RETURNING id`),
      pruneAlerts: db.prepare('DELETE FROM alert_outbox_alerts WHERE outbox_id = ?'),
    };
  }

  /** Adds items as `pending`, due now; call inside the transaction that decided them. */
  enqueue(items: readonly NewOutboxItem[], now: number): number[] {
    const ids: number[] = [];
    for (const item of items) {
      const id = Number(this.statements.insert.run(item.receiver, item.orderKey, item.idempotencyKey, item.payload, now, now, now, JSON.stringify(item.alertIds)).lastInsertRowid);
      for (const alertId of item.alertIds) this.statements.insertAlert.run(alertId, id);
      ids.push(id);
    }
    return ids;
  }

  /**
   * Takes up to `limit` ready items of a receiver for sending: each becomes `delivering` with a
   * lease until `now + leaseMs` and counts an attempt. Only the oldest unsettled item of an
   * order key is ever ready, so items of one alert go out in order.
   */
  claim(receiver: string, now: number, limit: number, leaseMs: number): OutboxEntry[] {
    if (limit <= 0) return [];
    return this.db.transaction(() => {
      const rows = this.statements.ready.all(receiver, now, limit) as OutboxRow[];
      const claimed: OutboxEntry[] = [];
      for (const row of rows) {
        if (this.statements.lease.run(now + leaseMs, now, row.id).changes === 1) claimed.push(toEntry({ ...row, status: 'delivering', attempts: row.attempts + 1 }));
      }
      return claimed;
    }).immediate();
  }

  markDelivered(id: number, now: number): void {
    this.statements.delivered.run(now, now, id);
  }

  /** Back to `pending` until `retryAt`, or to the dead letters when `retryAt` is null. */
  markFailed(id: number, now: number, error: string, retryAt: number | null): void {
    if (retryAt === null) this.statements.dead.run(now, error, id);
    else this.statements.retry.run(retryAt, now, error, id);
  }

  /** Items left `delivering` by a process that stopped (or whose lease ran out) become pending again. */
  releaseExpiredLeases(now: number): number {
    return this.statements.expiredLeases.run(now, now).changes;
  }

  /** Gives a dead item a fresh set of attempts. */
  requeue(id: number, now: number): boolean {
    return this.statements.requeue.run(now, now, id).changes === 1;
  }

  get(id: number): OutboxEntry | undefined {
    const row = this.statements.get.get(id) as OutboxRow | undefined;
    return row ? toEntry(row) : undefined;
  }

  list(filter: OutboxFilter = {}): OutboxEntry[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.status) {
      where.push('o.status = ?');
      params.push(filter.status);
    }
    if (filter.receiver) {
      where.push('o.receiver = ?');
      params.push(filter.receiver);
    }
    if (filter.alertId) {
      where.push('o.id IN (SELECT outbox_id FROM alert_outbox_alerts WHERE alert_id = ?)');
      params.push(filter.alertId);
    }
    const sql = `SELECT * FROM alert_outbox o ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY o.id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...params, filter.limit ?? 200) as OutboxRow[]).map(toEntry);
  }

  counts(): OutboxCount[] {
    return this.statements.counts.all() as OutboxCount[];
  }

  /** Receivers with pending items. */
  pendingReceivers(): string[] {
    return this.statements.pendingReceivers.pluck().all() as string[];
  }

  /** When the earliest pending item is due, or undefined when nothing is pending. */
  nextDue(): number | undefined {
    return (this.statements.nextDue.pluck().get() as number | null) ?? undefined;
  }

  /** Forgets delivered items older than `before`; pending and dead ones are kept. */
  pruneDelivered(before: number): number {
    return this.db.transaction(() => {
      const ids = this.statements.prune.pluck().all(before) as number[];
      for (const id of ids) this.statements.pruneAlerts.run(id);
      return ids.length;
    })();
  }
}

function toEntry(row: OutboxRow): OutboxEntry {
  return {
    id: row.id,
    receiver: row.receiver,
    orderKey: row.order_key,
    idempotencyKey: row.idempotency_key,
    payload: row.payload,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deliveredAt: row.delivered_at,
    lastError: row.last_error,
    alertIds: JSON.parse(row.alert_ids) as string[],
  };
}
