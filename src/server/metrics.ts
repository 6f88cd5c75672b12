import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { IngestHooks } from '../ingest/ingest.js';
import type { SqliteDatabase } from '../store/sqlite/database.js';
import { CheckpointTable, readLedgerFrontier } from '../store/sqlite/ledger-checkpoints.js';

const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'];

/**
 * The server's Prometheus metrics. Rates come from counters fed by the ingest hooks (events
 * stored and records quarantined per source, detection time per batch) and the HTTP hooks
 * (receiver requests in flight: the queue in front of the store); states come from the database
 * at scrape time (alerts by state, deliveries by state, source health, ledger head and checkpoint age).
 */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly stored: Counter<'cluster' | 'source'>;
  private readonly quarantined: Counter<'source'>;
  private readonly detection: Histogram;
  private readonly receiving: Gauge;
  private readonly requests: Histogram<'method' | 'route' | 'status'>;

  constructor(private readonly db: SqliteDatabase) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.stored = new Counter({ name: 'vigil_events_stored_total', help: 'Events stored (duplicates not counted), by cluster and source', labelNames: ['cluster', 'source'], registers });
    this.quarantined = new Counter({ name: 'vigil_records_quarantined_total', help: 'Records that could not be read and went to quarantine, by source', labelNames: ['source'], registers });
    this.detection = new Histogram({
      name: 'vigil_detection_duration_seconds',
      help: 'Time the rules took over one stored batch',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    });
    this.receiving = new Gauge({ name: 'vigil_ingest_requests_in_flight', help: 'Receiver requests accepted and not yet answered (the ingest queue)', registers });
    this.requests = new Histogram({
      name: 'vigil_http_request_duration_seconds',
      help: 'HTTP requests by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.025, 0.1, 0.3, 1, 3, 10],
      registers,
    });
    this.databaseGauges(registers);
  }

  /** Counts what the hooks see, then runs them; the stored-events hooks (detection) are timed. */
  instrument(hooks: IngestHooks = {}): IngestHooks {
    return {
      ...hooks,
      onStored: async (events) => {
        for (const event of events) this.stored.inc({ cluster: event.cluster, source: event.source });
        const stop = this.detection.startTimer();
        try {
          await hooks.onStored?.(events);
        } finally {
          stop();
        }
      },
      onQuarantined: (items) => {
        for (const item of items) this.quarantined.inc({ source: item.source });
        hooks.onQuarantined?.(items);
      },
    };
  }

  /** Times every request; counts receiver requests in flight. */
  trackRequests(app: FastifyInstance, receiverPrefix = '/api/v1/ingest'): void {
    app.addHook('onRequest', async (request) => {
      if (request.url.startsWith(receiverPrefix)) this.receiving.inc();
    });
    app.addHook('onResponse', async (request, reply) => {
      if (request.url.startsWith(receiverPrefix)) this.receiving.dec();
      const route = request.routeOptions.url ?? 'unmatched';
      this.requests.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    });
  }

  private databaseGauges(registers: Registry[]): void {
    const db = this.db;
    const has = (table: string) => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;
    new Gauge({
      name: 'vigil_alerts',
      help: 'Alerts by state and severity',
      labelNames: ['state', 'severity'],
      registers,
      collect() {
        this.reset();
        if (!has('alerts')) return;
        const rows = db.prepare('SELECT status, severity_rank AS rank, count(*) AS n FROM alerts GROUP BY status, severity_rank').all() as Array<{ status: string; rank: number; n: number }>;
        for (const row of rows) this.set({ state: row.status, severity: SEVERITIES[row.rank] ?? String(row.rank) }, row.n);
      },
    });
    new Gauge({
      name: 'vigil_alert_deliveries',
      help: 'Notifications in the outbox by receiver and state (pending, delivering, delivered, dead)',
      labelNames: ['receiver', 'state'],
      registers,
      collect() {
        this.reset();
        if (!has('alert_outbox')) return;
        const rows = db.prepare('SELECT receiver, status, count(*) AS n FROM alert_outbox GROUP BY receiver, status').all() as Array<{ receiver: string; status: string; n: number }>;
        for (const row of rows) this.set({ receiver: row.receiver, state: row.status }, row.n);
      },
    });
    const sourceRows = () =>
      has('source_health')
        ? (db
            .prepare('SELECT cluster, source, sum(dropped) AS dropped, sum(errors) AS errors, max(last_received) AS lastReceived FROM source_health GROUP BY cluster, source')
            .all() as Array<{ cluster: string; source: string; dropped: number; errors: number; lastReceived: number | null }>)
        : [];
    new Gauge({
      name: 'vigil_source_dropped_records',
      help: 'Records a source gave up on (truncated, shed, lost upstream), by cluster and source',
      labelNames: ['cluster', 'source'],
      registers,
      collect() {
        this.reset();
        for (const row of sourceRows()) this.set({ cluster: row.cluster, source: row.source }, row.dropped);
      },
    });
    new Gauge({
      name: 'vigil_source_last_received_seconds',
      help: 'Unix time an event of the source last arrived: alert on time() minus this',
      labelNames: ['cluster', 'source'],
      registers,
      collect() {
        this.reset();
        for (const row of sourceRows()) if (row.lastReceived !== null) this.set({ cluster: row.cluster, source: row.source }, row.lastReceived / 1000);
      },
    });
    const checkpoints = new CheckpointTable(db);
    new Gauge({
      name: 'vigil_ledger_records',
      help: 'Records in the tamper-evident ledger',
      registers,
      collect() {
        this.set(readLedgerFrontier(db).size);
      },
    });
    new Gauge({
      name: 'vigil_ledger_unsigned_records',
      help: 'Ledger records no signed checkpoint covers yet',
      registers,
      collect() {
        this.set(readLedgerFrontier(db).size - (checkpoints.latest()?.size ?? 0));
      },
    });
    new Gauge({
      name: 'vigil_ledger_checkpoint_age_seconds',
      help: 'Time since the newest checkpoint was signed (absent before the first)',
      registers,
      collect() {
        this.reset();
        const latest = checkpoints.latest();
        if (latest) this.set((Date.now() - latest.signedAt) / 1000);
      },
    });
  }
}
