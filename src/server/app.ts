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
  maxInFlight: number;
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
  registerAuditWebhook(app, options);
  return app;
}
