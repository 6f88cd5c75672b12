import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { addBatch, type IngestHooks, type IngestSummary } from '../../ingest/ingest.js';
import { type FirehoseRequest, isFirehoseRequest } from '../../sources/cloudwatch.js';
import { eksSource } from '../../sources/eks.js';
import { decodeRecords } from '../../sources/read.js';
import type { Store } from '../../store/store.js';
import type { TokenStore } from '../auth/token-store.js';
import { bearerSecret, clusterFor, gunzipEncodedBody, ingestToken, pathOf } from './push-receiver.js';

export interface FirehoseOptions {
  store: Store;
  tokens: TokenStore;
  hooks?: IngestHooks;
}

const PATH = '/api/v1/ingest/firehose';

type Params = { cluster?: string };

/**
 * Amazon Kinesis Data Firehose HTTP-endpoint delivery of EKS control-plane logs (CloudWatch Logs
 * subscription → Firehose → Vigil). Firehose sends the endpoint's access key in
 * `X-Amz-Firehose-Access-Key` (a Vigil ingest token; a bearer token works too), may gzip the
 * body, and retries a request until it gets 200 with `{requestId, timestamp}`; the answer is sent
 * only once the records are stored, and a retried request is deduplicated. Errors are answered
 * in Firehose's format, `{requestId, timestamp, errorMessage}`.
 */
export function registerFirehoseReceiver(app: FastifyInstance, options: FirehoseOptions): void {
  const refuse = (request: FastifyRequest, reply: FastifyReply, status: number, errorMessage: string) =>
    reply.code(status).send({ requestId: headerValue(request.headers['x-amz-firehose-request-id']) ?? '', timestamp: Date.now(), errorMessage });
  // Before the body is read: an unauthenticated sender costs no parsing.
  const authenticate = async (request: FastifyRequest, reply: FastifyReply) => {
    const secret = headerValue(request.headers['x-amz-firehose-access-key']) ?? bearerSecret(request.headers.authorization);
    const auth = ingestToken(options.tokens, secret);
    if ('error' in auth) return refuse(request, reply, auth.status, auth.error);
    request.token = auth.token;
  };
  const handler = async (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
    const cluster = clusterFor(request.token, request.params.cluster, PATH);
    if ('error' in cluster) return refuse(request, reply, cluster.status, cluster.error);
    const body = parseFirehoseBody(request.body);
    if (typeof body === 'string') return refuse(request, reply, 400, body);
    const position = `POST ${pathOf(request)} (Firehose request ${body.requestId})`;
    const batch = decodeRecords([{ ok: true, value: body, text: request.body as string, position }], { source: eksSource, cluster: cluster.name });
    const summary: IngestSummary = { accepted: 0, duplicates: 0, quarantined: 0 };
    await addBatch(batch, options.store, summary, options.hooks);
    return reply.code(200).send({ requestId: body.requestId, timestamp: Date.now() });
  };
  const route = { onRequest: authenticate, preParsing: gunzipEncodedBody };
  app.post<{ Params: Params }>(PATH, route, handler);
  app.post<{ Params: Params }>(`${PATH}/:cluster`, route, handler);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text === '' ? undefined : text;
}

/** The Firehose request, or why the body is not one (a misconfigured stream, not a bad record). */
function parseFirehoseBody(body: unknown): FirehoseRequest | string {
  const expected = 'expected a Firehose HTTP endpoint request {requestId, timestamp, records: [{data}]}';
  try {
    const value: unknown = JSON.parse(typeof body === 'string' ? body : '');
    return isFirehoseRequest(value) ? value : `body is not a Firehose request; ${expected}`;
  } catch {
    return `body is not JSON; ${expected}`;
  }
}
