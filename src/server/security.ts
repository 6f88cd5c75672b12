import { randomBytes } from 'node:crypto';
import cookie from '@fastify/cookie';
import csrfProtection from '@fastify/csrf-protection';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { installSessionAuth, sessionCookieOptions } from './auth/session-auth.js';
import type { SessionStore } from './auth/session-store.js';

export interface SecurityOptions {
  sessions: SessionStore;
  /** Served over TLS: cookies get `Secure`, responses HSTS and upgrade-insecure-requests. */
  tls: boolean;
}

/**
 * Security headers (a CSP that allows nothing but this origin), cookies, CSRF tokens bound to
 * the UI session, the session lookup for every request, and rate limiting for the routes that
 * ask for it. Registered at the root so it covers every route, receivers included.
 */
export const securityPlugin = fp<SecurityOptions>(async (app: FastifyInstance, options) => {
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(options.tls ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    hsts: options.tls ? { maxAge: 15_552_000 } : false,
    referrerPolicy: { policy: 'no-referrer' },
  });
  await app.register(cookie);
  await app.register(csrfProtection, {
    cookieKey: 'vigil_csrf',
    cookieOpts: { ...sessionCookieOptions(options.tls), maxAge: undefined },
    // Tokens are bound to the session, so a token taken from one session is worthless in another.
    getUserInfo: (request) => request.uiSession?.id ?? '',
    // A restart makes old tokens invalid; the UI then fetches a new one from GET /api/v1/session.
    csrfOpts: { hmacKey: randomBytes(32), userInfo: true },
  });
  await app.register(rateLimit, { global: false });
  installSessionAuth(app, options.sessions);
}, { name: 'vigil-security' });
