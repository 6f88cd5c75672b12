import type { FastifyInstance, FastifyReply } from 'fastify';
import { FIELDS } from '../../model/fields.js';
import { rowToDocument } from '../../model/document.js';
import type { Store } from '../../store/store.js';
import { errorSchema, eventDocumentSchema, filterQuerystring } from '../api-schemas.js';
import type { RoleGuard } from '../auth/bearer.js';
import { eventPage } from '../explore/event-page.js';
import { type ExploreParams, BadRequest, asBadRequest, filterOf, hasStages, queryTextOf, timeRangeOf } from '../explore/explore-input.js';
import { DEFAULT_FACET_FIELDS, facets } from '../explore/facets.js';
import { histogram } from '../explore/histogram.js';

export interface EventsRoutesOptions {
  store: Store;
  viewer: RoleGuard;
}

const TAGS = ['events'];

/** Explore: events by query and time range with cursor paging, top values of fields, and counts over time. */
export function registerEventsRoutes(app: FastifyInstance, options: EventsRoutesOptions): void {
  const { store, viewer } = options;

  app.get<{ Querystring: ExploreParams & { cursor?: string; limit: number } }>(
    '/api/v1/events',
    {
      preHandler: viewer,
      schema: {
        summary: 'Search events; newest first, paged by cursor. A query with | stages returns its table instead.',
        tags: TAGS,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...filterQuerystring,
            cursor: { type: 'string', maxLength: 4000, description: 'nextCursor of the previous page' },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['shape'],
            properties: {
              shape: { type: 'string', enum: ['events', 'table'] },
              events: { type: 'array', items: eventDocumentSchema },
              nextCursor: { type: 'string', description: 'absent on the last page' },
              columns: { type: 'array', items: { type: 'string' }, description: 'table shape: output columns in order' },
              rows: { type: 'array', items: { type: 'object', additionalProperties: true } },
            },
          },
          400: errorSchema,
        },
      },
    },
    async (request, reply) =>
      answer(reply, async () => {
        const params = request.query;
        const range = timeRangeOf(params, Date.now());
        const text = queryTextOf(params);
        if (!hasStages(text)) return { shape: 'events', ...(await eventPage(store, text, range, params.limit, params.cursor)) };
        if (params.cursor) throw new BadRequest('a query with | stages has no further pages; drop the cursor');
        const result = await store.query(text, range, params.limit).catch((error: unknown) => {
          throw asBadRequest(error);
        });
        if (result.shape === 'events' && result.columns.length === 0) return { shape: 'events', events: result.rows.map(rowToDocument) };
        return { shape: 'table', columns: result.columns, rows: result.rows };
      }),
  );

  app.get<{ Querystring: ExploreParams & { field?: string[]; size: number } }>(
    '/api/v1/events/facets',
    {
      preHandler: viewer,
      schema: {
        summary: 'Top values of fields among the matching events',
        tags: TAGS,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...filterQuerystring,
            field: { type: 'array', items: { type: 'string', maxLength: 200 }, maxItems: 20, description: `repeatable; default ${DEFAULT_FACET_FIELDS.join(', ')}` },
            size: { type: 'integer', minimum: 1, maximum: 50, default: 8, description: 'values per field' },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['facets'],
            properties: {
              facets: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['field', 'values'],
                  properties: {
                    field: { type: 'string' },
                    values: {
                      type: 'array',
                      items: {
                        type: 'object',
                        required: ['value', 'count'],
                        properties: { value: { type: ['string', 'number', 'null'], description: 'null: events without the field' }, count: { type: 'integer' } },
                      },
                    },
                  },
                },
              },
            },
          },
          400: errorSchema,
        },
      },
    },
    async (request, reply) =>
      answer(reply, async () => {
        const params = request.query;
        const filter = filterOf(params, 'facets');
        const fields = params.field && params.field.length > 0 ? params.field : DEFAULT_FACET_FIELDS;
        return { facets: await facets(store, filter, timeRangeOf(params, Date.now()), fields, params.size) };
      }),
  );

  app.get<{ Querystring: ExploreParams & { buckets: number } }>(
    '/api/v1/events/histogram',
    {
      preHandler: viewer,
      schema: {
        summary: 'Counts of matching events over time',
        description: 'An open side of the range is closed by the first matching event, or by the later of now and the last one.',
        tags: TAGS,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { ...filterQuerystring, buckets: { type: 'integer', minimum: 1, maximum: 200, default: 60, description: 'at most this many bars' } },
        },
        response: {
          200: {
            type: 'object',
            required: ['from', 'to', 'bucketMs', 'buckets', 'total'],
            properties: {
              from: { type: 'string', format: 'date-time' },
              to: { type: 'string', format: 'date-time' },
              bucketMs: { type: 'integer' },
              total: { type: 'integer' },
              buckets: {
                type: 'array',
                items: { type: 'object', required: ['start', 'count'], properties: { start: { type: 'string', format: 'date-time' }, count: { type: 'integer' } } },
              },
            },
          },
          400: errorSchema,
        },
      },
    },
    async (request, reply) =>
      answer(reply, async () => {
        const params = request.query;
        const result = await histogram(store, filterOf(params, 'histogram'), timeRangeOf(params, Date.now()), params.buckets);
        const iso = (ms: number) => new Date(ms).toISOString();
        return { ...result, from: iso(result.from), to: iso(result.to), buckets: result.buckets.map((bucket) => ({ start: iso(bucket.start), count: bucket.count })) };
      }),
  );

  app.get(
    '/api/v1/fields',
    {
      preHandler: viewer,
      schema: {
        summary: 'The normalized fields a query can name (for autocomplete); any other dotted name is a raw path',
        tags: TAGS,
        response: {
          200: {
            type: 'array',
            items: {
              type: 'object',
              required: ['name', 'aliases', 'type'],
              properties: { name: { type: 'string' }, aliases: { type: 'array', items: { type: 'string' } }, type: { type: 'string' } },
            },
          },
        },
      },
    },
    async () => FIELDS.map((field) => ({ name: field.name, aliases: [...field.aliases], type: field.type })),
  );
}

/** Runs a handler, answering 400 with the message for a bad request. */
async function answer(reply: FastifyReply, handler: () => Promise<unknown>): Promise<unknown> {
  try {
    return await handler();
  } catch (error) {
    if (error instanceof BadRequest) return reply.code(400).send({ error: error.message });
    throw error;
  }
}
