import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type TokenInfo, type TokenStore, roleAllows } from '../auth/token-store.js';

/**
 * What the cloud push receivers (Firehose, Pub/Sub) share with the audit webhook: an ingest token
 * (sent however the pushing service can send it), and a cluster bound to the token or named in
 * the URL, never both differently.
 */

export type Refusal = { status: number; error: string };

export function bearerSecret(header: string | undefined): string | undefined {
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
}

/** The live token with this secret if its role may ingest. */
export function ingestToken(tokens: TokenStore, secret: string | undefined): { token: TokenInfo } | Refusal {
  const token = secret ? tokens.authenticate(secret) : undefined;
  if (!token) return { status: 401, error: 'missing or invalid ingest token' };
  if (!roleAllows(token.role, 'ingest')) return { status: 403, error: `token "${token.name}" has role ${token.role}; this needs ingest` };
  return { token };
}

/** The cluster to store a request's records under; `token` is what the route's authentication admitted. */
export function clusterFor(token: TokenInfo | undefined, named: string | undefined, path: string): { name: string } | Refusal {
  if (token === undefined) return { status: 401, error: 'missing or invalid ingest token' };
  const bound = token.cluster ?? undefined;
  if (bound && named && bound !== named) return { status: 403, error: `this token may only send cluster "${bound}", not "${named}"` };
  const name = bound ?? named;
  if (!name) return { status: 400, error: `name the cluster: POST ${path}/<cluster>, or use a token created with --cluster` };
  return { name };
}

/**
 * A preParsing step for senders that compress their bodies (Firehose's GZIP content encoding):
 * the body limit then applies to the decompressed bytes, so a small compressed body cannot
 * expand without bound.
 */
export async function gunzipEncodedBody(request: FastifyRequest, _reply: FastifyReply, payload: Readable): Promise<Readable> {
  if (request.headers['content-encoding'] !== 'gzip') return payload;
  const gunzip = createGunzip() as ReturnType<typeof createGunzip> & { receivedEncodedLength: number };
  gunzip.receivedEncodedLength = 0;
  payload.on('data', (chunk: Buffer) => {
    gunzip.receivedEncodedLength += chunk.length;
  });
  payload.on('error', (error) => gunzip.destroy(error));
  return payload.pipe(gunzip);
}

/** The request path without its query string (which may carry a token), for quarantine positions. */
export function pathOf(request: FastifyRequest): string {
  return request.url.split('?')[0];
}
