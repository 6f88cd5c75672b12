import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AdminAction } from '../../ledger/admin-record.js';
import { SESSION_COOKIE, sessionCookieOptions } from '../auth/session-auth.js';
import type { Session, SessionStore } from '../auth/session-store.js';
import type { TokenStore } from '../auth/token-store.js';
import { errorSchema, sessionSchema } from '../api-schemas.js';

export interface SessionRoutesOptions {
  tokens: TokenStore;
  sessions: SessionStore;
  tls: boolean;
  /** Login attempts allowed per client address and minute. */
  loginAttemptsPerMinute: number;
  recordAdminAction: (action: AdminAction) => void;
}

const PATH = '/api/v1/session';

/**
 * The UI's login: a person pastes an API token once; the server answers with an HttpOnly,
 * SameSite=Strict session cookie (Secure under TLS) and a CSRF token for state-changing calls.
 * Logins and logouts, failed ones too, are records in the ledger.
 */
export function registerSessionRoutes(app: FastifyInstance, options: SessionRoutesOptions): void {
  const { tokens, sessions } = options;
  app.post<{ Body: { token: string } }>(
    PATH,
    {
      config: { csrf: false, rateLimit: { max: options.loginAttemptsPerMinute, timeWindow: 60_000 } },
      schema: {
        summary: 'Log in with an API token; sets the session cookie',
        tags: ['session'],
        body: {
          type: 'object',
          required: ['token'],
          additionalProperties: false,
          properties: { token: { type: 'string', minLength: 1, maxLength: 200, description: 'a viewer, responder or admin token (vgl_…)' } },
        },
        response: { 200: sessionSchema, 401: errorSchema, 403: errorSchema, 429: errorSchema },
      },
    },
    async (request, reply) => {
      const token = tokens.authenticate(request.body.token.trim());
      if (!token) {
        options.recordAdminAction(loginAction('failure', `UI login refused from ${request.ip}: unknown or revoked token`, request));
        return reply.code(401).send({ error: 'unknown or revoked token; create one with vigil tokens create --role viewer' });
      }
      if (token.role === 'ingest') {
        options.recordAdminAction(loginAction('failure', `UI login refused for ingest token "${token.name}"`, request, token));
        return reply.code(403).send({ error: `token "${token.name}" is an ingest token: it can only send records; log in with a viewer, responder or admin token` });
      }
      const { cookie, session } = sessions.open(token);
      reply.setCookie(SESSION_COOKIE, cookie, { ...sessionCookieOptions(options.tls), maxAge: Math.floor(sessions.limits.maxAgeMs / 1000) });
      options.recordAdminAction(loginAction('success', `UI login by token "${token.name}" (${token.role})`, request, token));
      return sessionBody(reply, session);
    },
  );

  app.get(PATH, { schema: { summary: 'The current UI session and a fresh CSRF token', tags: ['session'], response: { 200: sessionSchema, 401: errorSchema } } }, async (request, reply) => {
    if (!request.uiSession) return reply.code(401).send({ error: 'not logged in' });
    return sessionBody(reply, request.uiSession);
  });

  app.delete(PATH, { schema: { summary: 'Log out: ends the session (needs the CSRF token)', tags: ['session'], response: { 204: { type: 'null' }, 401: errorSchema } } }, async (request, reply) => {
    const session = request.uiSession;
    if (!session) return reply.code(401).send({ error: 'not logged in' });
    sessions.close(session.id);
    reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(options.tls));
    options.recordAdminAction({
      action: 'ui.logout',
      outcome: 'success',
      summary: `UI logout by token "${session.token.name}"`,
      details: { tokenId: session.token.id, tokenName: session.token.name, role: session.token.role, address: request.ip },
    });
    return reply.code(204).send();
  });
}

function sessionBody(reply: FastifyReply, session: Session) {
  return {
    name: session.token.name,
    role: session.token.role,
    expiresAt: new Date(session.expiresAt).toISOString(),
    csrfToken: reply.generateCsrf({ userInfo: session.id }),
  };
}

function loginAction(outcome: AdminAction['outcome'], summary: string, request: FastifyRequest, token?: { id: string; name: string; role: string }): AdminAction {
  const details: Record<string, unknown> = { address: request.ip, userAgent: request.headers['user-agent'] ?? null };
  if (token) Object.assign(details, { tokenId: token.id, tokenName: token.name, role: token.role });
  return { action: 'ui.login', outcome, summary, details };
}
