import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Role, type TokenInfo, type TokenStore, roleAllows } from './token-store.js';

declare module 'fastify' {
  interface FastifyRequest {
    token?: TokenInfo;
  }
}

/** A preHandler that admits only a live bearer token whose role allows `needed`. */
export function requireRole(tokens: TokenStore, needed: Role) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    const secret = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
    const token = secret ? tokens.authenticate(secret) : undefined;
    if (!token) {
      await reply.code(401).header('WWW-Authenticate', 'Bearer').send({ error: 'missing or invalid bearer token' });
      return;
    }
    if (!roleAllows(token.role, needed)) {
      await reply.code(403).send({ error: `token "${token.name}" has role ${token.role}; this needs ${needed}` });
      return;
    }
    request.token = token;
  };
}
