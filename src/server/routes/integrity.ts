import type { FastifyInstance } from 'fastify';
import { ProofNotPossible, inclusionBundle } from '../../ledger/proof-bundles.js';
import type { SqliteDatabase } from '../../store/sqlite/database.js';
import { errorSchema } from '../api-schemas.js';
import type { RoleGuard } from '../auth/bearer.js';
import type { IntegrityStatus, LedgerHandle } from '../status/integrity-status.js';

export interface IntegrityRoutesOptions {
  db: SqliteDatabase;
  integrity: IntegrityStatus;
  ledger?: LedgerHandle;
  viewer: RoleGuard;
  responder: RoleGuard;
  /** Scale-out: why this server has no ledger of the events to show; every route answers 503 with it. */
  unavailable?: string;
}

const TAGS = ['integrity'];

const verifyRunSchema = {
  type: 'object',
  required: ['state'],
  additionalProperties: true,
  properties: {
    state: { type: 'string', enum: ['never', 'running', 'done', 'failed'] },
    startedAt: { type: 'string', format: 'date-time' },
    finishedAt: { type: 'string', format: 'date-time' },
    requestedBy: { type: 'string' },
    intact: { type: 'boolean' },
    error: { type: 'string' },
    report: { type: 'object', additionalProperties: true, description: 'what vigil verify -o json prints; ranges cut to the non-intact ones' },
  },
} as const;

/** The tamper-evident ledger: status, verify now, and inclusion proofs of single events. */
export function registerIntegrityRoutes(app: FastifyInstance, options: IntegrityRoutesOptions): void {
  const { integrity } = options;
  app.get(
    '/api/v1/integrity',
    {
      preHandler: options.viewer,
      schema: {
        summary: 'Latest signed checkpoint, unsigned records, witnesses and the last verify run',
        tags: TAGS,
        response: {
          200: {
            type: 'object',
            additionalProperties: true,
            properties: {
              origin: { type: ['string', 'null'] },
              ledgerSize: { type: 'integer' },
              checkpoints: { type: 'integer' },
              unsignedRecords: { type: 'integer' },
              publicKey: { type: ['string', 'null'], description: 'verifier key that checks checkpoints and proofs offline' },
              checkpoint: {
                anyOf: [
                  { type: 'null' },
                  {
                    type: 'object',
                    properties: {
                      size: { type: 'integer' },
                      root: { type: 'string' },
                      signedAt: { type: 'string', format: 'date-time' },
                      ageSeconds: { type: 'number' },
                      note: { type: 'string', description: 'C2SP tlog-checkpoint signed note' },
                    },
                  },
                ],
              },
              witnesses: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { dir: { type: 'string' }, size: { type: ['integer', 'null'] }, signedAt: { type: ['string', 'null'] }, error: { type: ['string', 'null'] } },
                },
              },
              verify: verifyRunSchema,
              verifyAvailable: { type: 'boolean' },
            },
          },
          503: errorSchema,
        },
      },
    },
    async (_request, reply) => (options.unavailable === undefined ? integrity.summary() : reply.code(503).send({ error: options.unavailable })),
  );

  app.post(
    '/api/v1/integrity/verify',
    {
      preHandler: options.responder,
      schema: {
        summary: 'Start verifying the whole store against the ledger (as vigil verify); poll GET /api/v1/integrity',
        tags: TAGS,
        response: { 202: verifyRunSchema, 503: errorSchema },
      },
    },
    async (request, reply) => {
      if (options.unavailable !== undefined) return reply.code(503).send({ error: options.unavailable });
      if (!integrity.verifyAvailable) return reply.code(503).send({ error: 'this server has no data directory to verify' });
      return reply.code(202).send(integrity.startVerify(request.token?.name ?? 'unknown'));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/events/:id/proof',
    {
      preHandler: options.viewer,
      schema: {
        summary: "An event's inclusion proof bundle (as vigil proof prints), checkable offline with the public key",
        tags: TAGS,
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 100 } } },
        response: {
          200: {
            type: 'object',
            required: ['format', 'leafIndex', 'leaf', 'inclusionProof', 'checkpoint'],
            properties: {
              format: { type: 'string' },
              leafIndex: { type: 'integer' },
              leaf: { type: 'string' },
              inclusionProof: { type: 'array', items: { type: 'string' } },
              checkpoint: { type: 'string' },
            },
          },
          404: errorSchema,
          503: errorSchema,
        },
      },
    },
    async (request, reply) => {
      if (options.unavailable !== undefined) return reply.code(503).send({ error: options.unavailable });
      if (!options.ledger) return reply.code(503).send({ error: 'proofs are not available: this server holds no signing key' });
      try {
        return await inclusionBundle(options.db, request.params.id, options.ledger.key, () => integrity.signNow());
      } catch (error) {
        if (error instanceof ProofNotPossible) return reply.code(404).send({ error: error.message });
        throw error;
      }
    },
  );
}
