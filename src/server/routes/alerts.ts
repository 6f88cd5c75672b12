import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AlertActionError } from '../../alert/alert-action-error.js';
import type { AlertActors, AlertOperations } from '../../alert/operations.js';
import type { AlertStatus } from '../../detect/alert-store.js';
import { SEVERITIES } from '../../detect/rule-schema.js';
import { parseTimeBound } from '../../query/index.js';
import { DELIVERY_STATUSES } from '../../store/sqlite/outbox.js';
import { requireRole } from '../auth/bearer.js';
import type { TokenStore } from '../auth/token-store.js';

export interface AlertRoutesOptions {
  tokens: TokenStore;
  alerting: AlertActors;
}

const TAGS = ['alerts'];
const STATUSES: readonly AlertStatus[] = ['open', 'acknowledged', 'resolved'];

const listQuery = z.object({
  status: z.enum(STATUSES).optional(),
  severity: z.enum(SEVERITIES).optional(),
  rule: z.string().optional(),
  cluster: z.string().optional(),
  since: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
});
const deliveriesQuery = z.object({
  status: z.enum(DELIVERY_STATUSES).optional(),
  receiver: z.string().optional(),
  alert: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
});
const reasonBody = z.strictObject({ reason: z.string().max(2000).optional() }).optional();
const silenceBody = z.strictObject({
  matchers: z.array(z.string()).min(1),
  startsAt: z.string().optional(),
  endsAt: z.string().optional(),
  duration: z.string().optional(),
  comment: z.string().min(1),
});

/**
 * `/api/v1/alerts`: viewers read alerts, silences, deliveries and routes; responders
 * acknowledge, resolve, silence and requeue dead letters; admins replace the routes. Actions are
 * taken as the token's (or UI session's) name and recorded in the ledger.
 */
export function registerAlertRoutes(app: FastifyInstance, options: AlertRoutesOptions): void {
  void app.register(async (scope) => {
    // Outside the API plugin bodies arrive as text (the receivers' parser); these routes take JSON.
    scope.removeContentTypeParser(['application/json', 'text/plain', 'application/x-ndjson']);
    scope.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 1 << 20 }, (_request, body, done) => {
      if (body.length === 0) return done(null, undefined);
      try {
        done(null, JSON.parse(body.toString()));
      } catch (error) {
        done(Object.assign(new Error(`the body is not valid JSON: ${(error as Error).message}`), { statusCode: 400 }));
      }
    });
    scope.setErrorHandler(async (error, _request, reply) => sendError(reply, error));
    registerRoutes(scope, options);
  });
}

function registerRoutes(app: FastifyInstance, options: AlertRoutesOptions): void {
  const viewer = requireRole(options.tokens, 'viewer');
  const responder = requireRole(options.tokens, 'responder');
  const admin = requireRole(options.tokens, 'admin');
  const ops = (request: FastifyRequest): AlertOperations => options.alerting.as(request.token?.name ?? 'unknown');
  const schema = (summary: string) => ({ summary, tags: TAGS });

  app.get('/api/v1/alerts', { preHandler: viewer, schema: schema('Alerts, most recently active first, with lifecycle and suppression') }, async (request) => {
    const query = parse(listQuery, request.query, 'query');
    const since = query.since === undefined ? undefined : sinceOf(query.since);
    return ops(request).list({ status: query.status, severity: query.severity, ruleId: query.rule, cluster: query.cluster, since, limit: query.limit });
  });
  app.get('/api/v1/alerts/silences', { preHandler: viewer, schema: schema('Silences not yet ended') }, async (request) => ops(request).silences());
  app.post('/api/v1/alerts/silences', { preHandler: responder, schema: schema('Create a silence: {matchers, endsAt | duration, comment, startsAt?}') }, async (request, reply) => {
    const silence = await ops(request).silence(parse(silenceBody, request.body, 'body'));
    return reply.code(201).send(silence);
  });
  app.delete<{ Params: { id: string } }>('/api/v1/alerts/silences/:id', { preHandler: responder, schema: schema('End a silence now') }, async (request) => ops(request).unsilence(request.params.id));
  app.get('/api/v1/alerts/deliveries', { preHandler: viewer, schema: schema('Notifications in the outbox, newest first') }, async (request) => {
    const query = parse(deliveriesQuery, request.query, 'query');
    return ops(request).deliveries({ status: query.status, receiver: query.receiver, alertId: query.alert, limit: query.limit });
  });
  app.post<{ Params: { id: string } }>('/api/v1/alerts/deliveries/:id/retry', { preHandler: responder, schema: schema('Give a dead letter a fresh set of attempts') }, async (request) => {
    const id = Number(request.params.id);
    if (!Number.isInteger(id)) throw new AlertActionError(`delivery id must be a number, got "${request.params.id}"`, 'invalid');
    return ops(request).requeue(id);
  });
  app.get('/api/v1/alerts/routes', { preHandler: viewer, schema: schema('The route tree in force and where it comes from') }, async (request) => ops(request).routes());
  app.put('/api/v1/alerts/routes', { preHandler: admin, schema: schema('Replace the route tree (the config file format of alerting.route, as JSON)') }, async (request) => ops(request).replaceRoutes(request.body));
  app.delete('/api/v1/alerts/routes', { preHandler: admin, schema: schema("Drop the routes set through the API; the config file's apply again") }, async (request) => ops(request).resetRoutes());
  app.get<{ Params: { id: string } }>('/api/v1/alerts/:id', { preHandler: viewer, schema: schema('One alert with its transitions, escalations and deliveries') }, async (request, reply) => {
    const alert = await ops(request).show(request.params.id);
    if (!alert) return reply.code(404).send({ error: `no alert with id "${request.params.id}"` });
    return alert;
  });
  app.post<{ Params: { id: string } }>('/api/v1/alerts/:id/ack', { preHandler: responder, schema: schema('Acknowledge: stops its escalation; notified receivers are told') }, async (request) =>
    ops(request).acknowledge(request.params.id, parse(reasonBody, request.body, 'body')?.reason ?? ''),
  );
  app.post<{ Params: { id: string } }>('/api/v1/alerts/:id/resolve', { preHandler: responder, schema: schema('Resolve: notified receivers get a resolved notice') }, async (request) =>
    ops(request).resolve(request.params.id, parse(reasonBody, request.body, 'body')?.reason ?? ''),
  );
}

function parse<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${[where, ...issue.path.map(String)].join('.')}: ${issue.message}`);
  throw new AlertActionError(problems.join('; '), 'invalid');
}

function sinceOf(text: string): number {
  try {
    return parseTimeBound(text, Date.now());
  } catch (error) {
    throw new AlertActionError(`since: ${(error as Error).message}`, 'invalid');
  }
}

const STATUS_OF: Record<AlertActionError['kind'], number> = { 'not-found': 404, conflict: 409, invalid: 400 };

async function sendError(reply: FastifyReply, error: unknown): Promise<FastifyReply> {
  if (error instanceof AlertActionError) return reply.code(STATUS_OF[error.kind]).send({ error: error.message });
  const status = (error as { statusCode?: number }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return reply.code(status).send({ error: (error as Error).message });
  reply.log.error({ err: error }, 'alerts API failed');
  return reply.code(500).send({ error: 'internal error; see the server log' });
}
