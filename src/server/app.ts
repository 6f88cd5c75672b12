import underPressure from '@fastify/under-pressure';
import Fastify, { type FastifyInstance } from 'fastify';
import type { IngestHooks } from '../ingest/ingest.js';
import { withSourceHealth } from '../sources/health/hooks.js';
import { SourceHealthRecorder } from '../sources/health/source-health.js';
import { SqliteSourceHealth } from '../store/sqlite/source-health.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { BusUnavailableError } from '../bus/bus-unavailable.js';
import { type ApiOptions, registerApi, transportOptions } from './api.js';
import type { TokenStore } from './auth/token-store.js';
import type { AlertActors } from '../alert/operations.js';
import { registerAlertRoutes } from './routes/alerts.js';
import { registerAuditWebhook } from './routes/audit-webhook.js';
import { registerFirehoseReceiver } from './routes/firehose.js';
import { registerPubSubReceiver, withoutQueryToken } from './routes/pubsub-push.js';
import { registerRecordsReceiver } from './routes/records-receiver.js';
import { registerSourcesApi } from './routes/sources.js';

export interface ServerOptions extends ApiOptions {
  store: SqliteStore;
  tokens: TokenStore;
  /** Largest request body accepted; larger ones get 413. */
  bodyLimit: number;
  maxRecordBytes: number;
  /** Event-loop delay (ms) above which receivers answer 429 so senders back off and retry. */
  maxEventLoopDelay: number;
  /** Heap use above which receivers answer 429; 0 = no limit. */
  maxHeapBytes: number;
  hooks?: IngestHooks;
  logLevel: string;
  /** Alerting (lifecycle, silences, deliveries, routes) behind /api/v1/alerts. */
  alerting?: AlertActors;
  /** Scale-out (`serve --bus`): where the receivers put records instead of `store` (the bus publisher). */
  receiverStore?: Store;
  /** Further dependencies /readyz checks by name (scale-out: `nats`, `clickhouse`); each throws what is wrong. */
  readiness?: Record<string, () => Promise<void>>;
}

/** Builds the HTTP server: health probes without auth, everything else behind bearer tokens. */
export function buildServer(options: ServerOptions): FastifyInstance {
  const app = Fastify({
    bodyLimit: options.bodyLimit,
    logger: {
      level: options.logLevel,
      redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-amz-firehose-access-key"]'],
      // The Pub/Sub receiver takes its token in the URL; request logs must not show it.
      serializers: { req: (request) => ({ method: request.method, url: withoutQueryToken(request.url), host: request.host, remoteAddress: request.ip }) },
    },
    ...transportOptions(options),
  });
  // First, before any route: the OpenAPI document is built from the routes as they are added.
  const api = registerApi(app, options);
  // Bodies are kept as text: records are stored verbatim and malformed ones quarantined, not rejected whole.
  app.addContentTypeParser(['application/json', 'application/x-ndjson', 'text/plain'], { parseAs: 'string' }, (_request, body, done) => {
    done(null, body);
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const checks = await readinessOf({ 'data dir': async () => void options.store.db.prepare('SELECT 1').get(), ...options.readiness });
    const failed = Object.entries(checks).filter(([, state]) => state !== 'ok');
    if (failed.length === 0) return { status: 'ready', checks };
    return reply.code(503).send({ status: 'not ready', error: failed.map(([name, state]) => `${name}: ${state}`).join('; '), checks });
  });
  const health = new SqliteSourceHealth(options.store.db);
  const receiving = { ...options, store: options.receiverStore ?? options.store, hooks: withSourceHealth(new SourceHealthRecorder(health), api.hooks) };
  registerSourcesApi(app, { tokens: options.tokens, health, rules: options.rules });
  if (options.alerting) registerAlertRoutes(app, { tokens: options.tokens, alerting: options.alerting });
  void app.register(async (receivers) => {
    // Only the receivers shed load: probes and queries keep answering while ingest backs off.
    await receivers.register(underPressure, {
      maxEventLoopDelay: options.maxEventLoopDelay,
      maxHeapUsedBytes: options.maxHeapBytes,
      retryAfter: 1,
      pressureHandler: (_request, reply, type) => {
        void reply.code(429).header('Retry-After', '1').send({ error: `receiver overloaded (${type}); retry after 1 s` });
      },
    });
    receivers.setErrorHandler(async (error, _request, reply) => {
      // Scale-out: the bus did not acknowledge the batch, so the sender must keep it and retry.
      if (error instanceof BusUnavailableError) return reply.code(503).header('Retry-After', String(error.retryAfterSeconds)).send({ error: error.message });
      throw error;
    });
    registerAuditWebhook(receivers, receiving);
    registerFirehoseReceiver(receivers, receiving);
    registerPubSubReceiver(receivers, receiving);
    registerRecordsReceiver(receivers, receiving);
  });
  return app;
}

/** Runs every check at once; a check's state is `ok` or what it threw. */
async function readinessOf(checks: Record<string, () => Promise<void>>): Promise<Record<string, string>> {
  const names = Object.keys(checks);
  const outcomes = await Promise.allSettled(names.map((name) => checks[name]()));
  return Object.fromEntries(names.map((name, i) => {
    const outcome = outcomes[i];
    return [name, outcome.status === 'fulfilled' ? 'ok' : (outcome.reason as Error).message];
  }));
}
