import type { FastifyInstance } from 'fastify';
import { errorSchema } from '../api-schemas.js';
import type { RoleGuard } from '../auth/bearer.js';
import type { PostureStatus } from '../status/posture-status.js';

/** `GET /api/v1/posture`: the latest posture report of what this server knows (what `vigil posture -o json` prints). */
export function registerPostureRoutes(app: FastifyInstance, options: { posture: PostureStatus; viewer: RoleGuard }): void {
  app.get<{ Querystring: { refresh: boolean } }>(
    '/api/v1/posture',
    {
      preHandler: options.viewer,
      schema: {
        summary: 'Findings and the rule coverage matrix from the data directory and the configured audit policy',
        tags: ['posture'],
        querystring: { type: 'object', additionalProperties: false, properties: { refresh: { type: 'boolean', default: false, description: 'assess again now' } } },
        response: {
          200: {
            type: 'object',
            required: ['assessedAt', 'report'],
            properties: {
              assessedAt: { type: 'string', format: 'date-time' },
              report: { type: 'object', additionalProperties: true, description: 'findings, coverage, summary, sources (vigil posture -o json)' },
            },
          },
          503: errorSchema,
        },
      },
    },
    async (request, reply) => {
      if (!options.posture.available) return reply.code(503).send({ error: 'posture is not available: the server has no data directory or audit policy to assess' });
      const state = await options.posture.latest(request.query.refresh);
      if ('error' in state) return reply.code(503).send({ error: `posture assessment failed: ${state.error}` });
      return { assessedAt: new Date(state.assessedAt).toISOString(), report: state.report };
    },
  );
}
