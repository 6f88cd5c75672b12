import underPressure from '@fastify/under-pressure';
import Fastify, { type FastifyInstance } from 'fastify';
import type { IngestHooks } from '../ingest/ingest.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { TokenStore } from './auth/token-store.js';
import { registerAuditWebhook } from './routes/audit-webhook.js';

export interface ServerOptions {
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
}

/** Builds the HTTP server: health probes without auth, everything else behind bearer tokens. */
export function buildServer(options: ServerOptions): FastifyInstance {
  const app = Fastify({
    bodyLimit: options.bodyLimit,
    logger: { level: options.logLevel, redact: ['req.headers.authorization', 'req.headers.cookie'] },
    disableRequestLogging: false,
  });
  // Bodies are kept as text: records are stored verbatim and malformed ones quarantined, not rejected whole.
  app.addContentTypeParser(['application/json', 'application/x-ndjson', 'text/plain'], { parseAs: 'string' }, (_request, body, done) => {
    done(null, body);
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    try {
      options.store.db.prepare('SELECT 1').get();
      return { status: 'ready' };
    } catch (error) {
      return reply.code(503).send({ status: 'not ready', error: (error as Error).message });
    }
  });
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
    registerAuditWebhook(receivers, options);
  });
  return app;
}
