import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';
import type { SessionStore } from './session-store.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: the route takes no CSRF token even from a cookie session (login opens the session). */
    csrf?: boolean;
  }
}

export const SESSION_COOKIE = 'vigil_session';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function sessionCookieOptions(tls: boolean): CookieSerializeOptions {
  return { httpOnly: true, sameSite: 'strict', secure: tls, path: '/' };
}

/**
 * Resolves the session cookie of every request into `request.uiSession`, and refuses (403) a
 * state-changing request authenticated by that cookie unless it carries the session's CSRF
 * token (header `x-csrf-token`). Requests with an Authorization header are left to it: a
 * bearer token is not sent by browsers on their own, so it needs no CSRF token.
 */
export function installSessionAuth(app: FastifyInstance, sessions: SessionStore): void {
  app.decorateRequest('uiSession', null);
  app.addHook('onRequest', (request, reply, done) => {
    const cookie = request.cookies[SESSION_COOKIE];
    request.uiSession = cookie ? (sessions.find(cookie) ?? null) : null;
    const needsCsrf =
      request.uiSession !== null &&
      request.headers.authorization === undefined &&
      !SAFE_METHODS.has(request.method) &&
      request.routeOptions.config.csrf !== false;
    if (needsCsrf) app.csrfProtection(request, reply, done);
    else done();
  });
}
