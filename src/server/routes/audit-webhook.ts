import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { addBatch, type IngestHooks, type IngestSummary } from '../../ingest/ingest.js';
import { k8sAuditSource } from '../../sources/k8s-audit.js';
import { decodeRecords } from '../../sources/read.js';
import { scanValues } from '../../sources/records.js';
import type { Store } from '../../store/store.js';
import { requireRole } from '../auth/bearer.js';
import type { TokenStore } from '../auth/token-store.js';
import { clusterFor } from './push-receiver.js';

export interface AuditWebhookOptions {
  store: Store;
  tokens: TokenStore;
  maxRecordBytes: number;
  hooks?: IngestHooks;
}

const PATH = '/api/v1/ingest/k8s-audit';

/**
 * kube-apiserver's audit webhook backend POSTs `EventList` batches and retries a batch that
 * was not answered 2xx; the answer is sent only once the batch is committed, and a retried
 * batch is deduplicated by (auditID, stage).
 */
export function registerAuditWebhook(app: FastifyInstance, options: AuditWebhookOptions): void {
  const handler = async (request: FastifyRequest<{ Params: { cluster?: string } }>, reply: FastifyReply) => {
    const cluster = clusterFor(request.token, request.params.cluster, PATH);
    if ('error' in cluster) return reply.code(cluster.status).send({ error: cluster.error });
    const position = `POST ${request.url} (request ${request.id})`;
    const records = scanValues(request.body as string, position, options.maxRecordBytes);
    const batch = decodeRecords(records, { source: k8sAuditSource, cluster: cluster.name });
    const summary: IngestSummary = { accepted: 0, duplicates: 0, quarantined: 0 };
    await addBatch(batch, options.store, summary, options.hooks);
    return reply.code(200).send(summary);
  };
  const guard = requireRole(options.tokens, 'ingest');
  app.post<{ Params: { cluster?: string } }>(PATH, { preHandler: guard }, handler);
  app.post<{ Params: { cluster?: string } }>(`${PATH}/:cluster`, { preHandler: guard }, handler);
}
