import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AlertStore } from '../detect/alert-store.js';
import { loadRuleSet } from '../detect/loader.js';
import type { IngestHooks } from '../ingest/ingest.js';
import { type AdminAction, adminEvent } from '../ledger/admin-record.js';
import { packagePath } from '../package-root.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { requireRole } from './auth/bearer.js';
import { SessionStore } from './auth/session-store.js';
import type { TokenStore } from './auth/token-store.js';
import { ServerMetrics } from './metrics.js';
import { OpenApiCollector } from './openapi.js';
import { registerEventsRoutes } from './routes/events.js';
import { registerIntegrityRoutes } from './routes/integrity.js';
import { registerPostureRoutes } from './routes/posture.js';
import { registerRulesRoutes } from './routes/rules.js';
import { registerSessionRoutes } from './routes/session.js';
import { securityPlugin } from './security.js';
import { IntegrityStatus, type LedgerHandle } from './status/integrity-status.js';
import { PostureStatus } from './status/posture-status.js';
import { registerUi } from './ui.js';

/**
 * Scale-out (`serve --bus … --store clickhouse://…`): the stores the workers write, which the API
 * reads instead of the data directory (that one keeps only tokens, sessions and Vigil's own actions).
 */
export interface SharedStores {
  /** Every worker's events (all ledger logs). */
  events: Store;
  /** The workers' alerts with the status any API server set. */
  alerts: AlertStore;
  /** The --store URL without its password, for messages that point there. */
  location: string;
}

/** What the API, the UI and the metrics need beyond the receivers' options. */
export interface ApiOptions {
  store: SqliteStore;
  /** Scale-out: where events, alerts and hit counts come from. */
  shared?: SharedStores;
  tokens: TokenStore;
  hooks?: IngestHooks;
  /** The data directory: `verify now` and the posture report read it. */
  dataDir?: string;
  /** `builtin` (default), a rules path, or `none`: the Rules page lists them. */
  rules?: string;
  /** Witness directories the integrity page reports on. */
  witness?: readonly string[];
  /** Signing key file, when not the data directory's default. */
  signingKey?: string;
  /** The ledger session of the process: signs proofs' checkpoints and records admin actions. */
  ledger?: LedgerHandle;
  /** Certificate and key (PEM): serve HTTPS, and mark cookies Secure. */
  tls?: { cert: Buffer; key: Buffer };
  /** Serve /metrics without a token (default: a viewer token or session is needed). */
  metricsPublic?: boolean;
  /** The cluster's audit policy file, for the posture report's coverage matrix. */
  auditPolicy?: string;
  /** Login attempts per client address and minute (default 10). */
  loginAttemptsPerMinute?: number;
  /** Where the built UI is (default dist/web of the package). */
  uiDir?: string;
}

/**
 * Options for `Fastify()` that the API depends on: a random request id per request (echoed as
 * `x-request-id`, never taken from the client, so logs cannot be forged into one another) and
 * HTTPS when a certificate is given. Fastify's types tie the instance type to the http or https
 * server; nothing here uses server-specific API, so the https options travel untyped.
 */
export function transportOptions(options: Pick<ApiOptions, 'tls'>): { genReqId: () => string } {
  const https = options.tls ? { https: { cert: options.tls.cert, key: options.tls.key } } : {};
  return { genReqId: () => randomUUID(), ...https };
}

/**
 * Adds the product around the receivers: security headers, sessions and CSRF, the API under
 * /api/v1 with its OpenAPI document, /metrics and the web UI. Call it right after creating the
 * app, before any route, so that the OpenAPI document sees every route. Returns the ingest hooks
 * the receivers should use (they feed the metrics).
 */
export function registerApi(app: FastifyInstance, options: ApiOptions): { hooks: IngestHooks } {
  const openapi = new OpenApiCollector();
  openapi.install(app);
  const { store, tokens } = options;
  const db = store.db;
  const tls = options.tls !== undefined;
  const metrics = new ServerMetrics(db);
  const sessions = new SessionStore(db);
  const viewer = requireRole(tokens, 'viewer');
  const responder = requireRole(tokens, 'responder');
  const rules = options.rules === 'none' ? [] : loadRuleSet(options.rules);
  const integrity = new IntegrityStatus({ db, dataDir: options.dataDir, witnessDirs: options.witness ?? [], signingKey: options.signingKey, ledger: options.ledger });
  const posture = new PostureStatus({ dataDir: options.dataDir, auditPolicy: options.auditPolicy, rules });
  const recordAdminAction = (action: AdminAction) => (options.ledger ? options.ledger.record(action) : store.appendSync([adminEvent(action)]));

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  void app.register(securityPlugin, { sessions, tls });
  metrics.trackRequests(app);
  void app.register(async (api) => {
    // The receivers keep bodies as text (records are stored verbatim); the API takes JSON documents.
    api.removeContentTypeParser(['application/json', 'text/plain', 'application/x-ndjson']);
    api.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: API_BODY_LIMIT }, parseJsonBody);
    registerSessionRoutes(api, { tokens, sessions, tls, loginAttemptsPerMinute: options.loginAttemptsPerMinute ?? 10, recordAdminAction });
    const shared = options.shared;
    registerEventsRoutes(api, { store: shared?.events ?? store, viewer });
    registerRulesRoutes(api, { db, rules, viewer, tokens, recordAdminAction, coverage: () => posture.coverage(), sharedAlerts: shared?.alerts, changesRefused: shared && RULES_RUN_IN_WORKERS });
    registerIntegrityRoutes(api, { db, integrity, ledger: options.ledger, viewer, responder, unavailable: shared && ledgersInSharedStore(shared.location) });
    registerPostureRoutes(api, { posture, viewer });
    const document = () => openapi.document(packageVersion());
    api.get('/api/v1/openapi.json', { preHandler: viewer, schema: { summary: 'This document', tags: ['meta'] } }, async () => document());
    api.get(
      '/metrics',
      { preHandler: options.metricsPublic ? [] : [viewer], schema: { summary: 'Prometheus metrics (a viewer token unless the server runs with --metrics-public)', tags: ['meta'] } },
      async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
    );
  });
  registerUi(app, options.uiDir ?? packagePath('dist', 'web'));
  return { hooks: metrics.instrument(options.hooks) };
}

const RULES_RUN_IN_WORKERS = 'the rules run in the workers (vigil worker --rules …); this API server cannot enable or disable them: change the rules the workers load';

function ledgersInSharedStore(location: string): string {
  return `the events' ledgers are kept per partition in ${location}, each signed by the worker that writes it; this server keeps only the ledger of its own actions. Check them with: vigil verify --store ${location}`;
}

/** API requests are small documents (a login, an ack); receivers have their own, larger limit. */
const API_BODY_LIMIT = 1 << 20;

function parseJsonBody(_request: FastifyRequest, body: string | Buffer, done: (error: Error | null, value?: unknown) => void): void {
  if (body.length === 0) return done(null, undefined);
  try {
    done(null, JSON.parse(body.toString()));
  } catch (error) {
    done(Object.assign(new Error(`the body is not valid JSON: ${(error as Error).message}`), { statusCode: 400 }));
  }
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;
}
