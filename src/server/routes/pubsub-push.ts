import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { addBatch, type IngestHooks, type IngestSummary } from '../../ingest/ingest.js';
import { gkeSource } from '../../sources/gke.js';
import { decodeRecords } from '../../sources/read.js';
import { scanValues } from '../../sources/records.js';
import type { Store } from '../../store/store.js';
import type { TokenStore } from '../auth/token-store.js';
import { bearerSecret, clusterFor, ingestToken, pathOf } from './push-receiver.js';

export interface PubSubPushOptions {
  store: Store;
  tokens: TokenStore;
  maxRecordBytes: number;
  hooks?: IngestHooks;
}

const PATH = '/api/v1/ingest/pubsub';

type Params = { cluster?: string };
type Query = { token?: string };

/**
 * Google Cloud Pub/Sub push delivery of GKE audit logs (log sink → topic → push subscription →
 * Vigil): `{message: {data, attributes, messageId}, subscription}`, or the bare LogEntry of a
 * subscription without the wrapper. Pub/Sub cannot send a static header, so the ingest token may
 * come in the endpoint URL (`?token=…`, kept out of logs and positions); a bearer header works
 * too. Pub/Sub redelivers until it gets a 2xx, which is sent once the entry is stored; a
 * redelivered message is deduplicated, and an unreadable one is quarantined and acknowledged.
 */
export function registerPubSubReceiver(app: FastifyInstance, options: PubSubPushOptions): void {
  const authenticate = async (request: FastifyRequest<{ Querystring: Query }>, reply: FastifyReply) => {
    const auth = ingestToken(options.tokens, bearerSecret(request.headers.authorization) ?? request.query.token);
    if ('error' in auth) return reply.code(auth.status).send({ error: auth.error });
    request.token = auth.token;
  };
  const handler = async (request: FastifyRequest<{ Params: Params; Querystring: Query }>, reply: FastifyReply) => {
    const cluster = clusterFor(request.token, request.params.cluster, PATH);
    if ('error' in cluster) return reply.code(cluster.status).send({ error: cluster.error });
    const position = `POST ${pathOf(request)} (request ${request.id})`;
    const records = scanValues(request.body as string, position, options.maxRecordBytes);
    const batch = decodeRecords(records, { source: gkeSource, cluster: cluster.name });
    const summary: IngestSummary = { accepted: 0, duplicates: 0, quarantined: 0 };
    await addBatch(batch, options.store, summary, options.hooks);
    return reply.code(200).send(summary);
  };
  app.post<{ Params: Params; Querystring: Query }>(PATH, { onRequest: authenticate }, handler);
  app.post<{ Params: Params; Querystring: Query }>(`${PATH}/:cluster`, { onRequest: authenticate }, handler);
}

/** A request URL with the value of its `token` query parameter hidden, for logs. */
export function withoutQueryToken(url: string): string {
  return url.replace(/([?&]token=)[^&]*/g, '$1[redacted]');
}
