import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Session } from './session-store.js';
import { type Role, type TokenInfo, type TokenStore, roleAllows } from './token-store.js';

declare module 'fastify' {
  interface FastifyRequest {
    token?: TokenInfo;
    /** The UI session of the request's cookie, resolved (and CSRF-checked) by `installSessionAuth`. */
    uiSession?: Session | null;
  }
}

/** A route guard; `role` names what it needs, for the OpenAPI document. */
export type RoleGuard = ((request: FastifyRequest, reply: FastifyReply) => Promise<void>) & { role: Role };

/**
 * A preHandler that admits a live bearer token, or else a UI session, whose role allows `needed`.
 * A request with an Authorization header is judged by that header alone.
 */
export function requireRole(tokens: TokenStore, needed: Role): RoleGuard {
  const guard = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    const secret = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
    const token = header === undefined ? request.uiSession?.token : secret ? tokens.authenticate(secret) : undefined;
    if (!token) {
      await reply.code(401).header('WWW-Authenticate', 'Bearer').send({ error: 'missing or invalid bearer token or session; log in again' });
      return;
    }
    if (!roleAllows(token.role, needed)) {
      await reply.code(403).send({ error: `token "${token.name}" has role ${token.role}; this needs ${needed}` });
      return;
    }
    request.token = token;
  };
  return Object.assign(guard, { role: needed });
}
