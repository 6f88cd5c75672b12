import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { addBatch, type IngestHooks, type IngestSummary } from '../../ingest/ingest.js';
import { ADMIN_SOURCE } from '../../ledger/admin-record.js';
import { CannotRederive, deriveStoredEvent } from '../../ledger/record-decoders.js';
import type { ReadBatch } from '../../sources/read.js';
import type { Store } from '../../store/store.js';
import { requireRole } from '../auth/bearer.js';
import type { TokenStore } from '../auth/token-store.js';
import { clusterFor } from './push-receiver.js';

export interface RecordsReceiverOptions {
  store: Store;
  tokens: TokenStore;
  hooks?: IngestHooks;
}

export const RECORDS_PATH = '/api/v1/ingest/records';

/** One line of the body: a record as a node agent stored-form it, and the source kind it decodes with. */
interface AgentRecord {
  source: string;
  record: string;
}

/**
 * Where `vigil agent` sends what a node's live sources read (container, journald, syslog,
 * events): NDJSON lines `{"source": kind, "record": text}`, each decoded exactly as `vigil
 * verify` re-derives a stored record, so the server keeps what the node read. Answered only once
 * the batch is committed; the agent moves its read position only then.
 */
export function registerRecordsReceiver(app: FastifyInstance, options: RecordsReceiverOptions): void {
  const handler = async (request: FastifyRequest<{ Params: { cluster?: string } }>, reply: FastifyReply) => {
    const cluster = clusterFor(request.token, request.params.cluster, RECORDS_PATH);
    if ('error' in cluster) return reply.code(cluster.status).send({ error: cluster.error });
    const batch = decodeAgentLines(request.body as string, cluster.name, `POST ${RECORDS_PATH} (request ${request.id})`);
    const summary: IngestSummary = { accepted: 0, duplicates: 0, quarantined: 0 };
    await addBatch(batch, options.store, summary, options.hooks);
    return reply.code(200).send(summary);
  };
  const guard = requireRole(options.tokens, 'ingest');
  app.post<{ Params: { cluster?: string } }>(RECORDS_PATH, { preHandler: guard }, handler);
  app.post<{ Params: { cluster?: string } }>(`${RECORDS_PATH}/:cluster`, { preHandler: guard }, handler);
}

export function decodeAgentLines(body: string, cluster: string, position: string): ReadBatch {
  const batch: ReadBatch = { events: [], quarantined: [] };
  const receivedAt = Date.now();
  body.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const where = `${position} line ${index + 1}`;
    try {
      const { source, record } = parseLine(line);
      batch.events.push(deriveStoredEvent(source, cluster, record));
    } catch (error) {
      if (!(error instanceof CannotRederive)) throw error;
      batch.quarantined.push({ source: 'agent', position: where, reason: error.message, sample: line.slice(0, 4096), receivedAt });
    }
  });
  return batch;
}

function parseLine(line: string): AgentRecord {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new CannotRederive(`malformed JSON: ${(error as Error).message}`);
  }
  const { source, record } = (value ?? {}) as Partial<AgentRecord>;
  if (typeof source !== 'string' || typeof record !== 'string') throw new CannotRederive('expected {"source": "<kind>", "record": "<record text>"}');
  // Vigil's own actions enter the ledger only from Vigil itself, never from the network.
  if (source === ADMIN_SOURCE) throw new CannotRederive(`records of source ${ADMIN_SOURCE} are Vigil's own and cannot be sent`);
  return { source, record };
}
