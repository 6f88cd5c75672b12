/**
 * JSON Schemas shared by the API routes: Fastify validates requests and serializes responses
 * with them, and the OpenAPI document publishes them.
 */

/** Errors: Vigil's own put the explanation in `error`; Fastify's (validation, rate limit, CSRF) in `message`. */
export const errorSchema = {
  type: 'object',
  properties: {
    error: { type: 'string' },
    message: { type: 'string' },
    statusCode: { type: 'integer' },
    code: { type: 'string' },
  },
} as const;

export const sessionSchema = {
  type: 'object',
  required: ['name', 'role', 'expiresAt', 'csrfToken'],
  properties: {
    name: { type: 'string', description: 'name of the token the session was opened with' },
    role: { type: 'string', enum: ['viewer', 'responder', 'admin'] },
    expiresAt: { type: 'string', format: 'date-time' },
    csrfToken: { type: 'string', description: 'send as x-csrf-token on POST, PUT, PATCH and DELETE' },
  },
} as const;

const timeBound = {
  type: 'string',
  maxLength: 64,
  description: 'a duration back from now (15m, 1h, 7d), now, an RFC 3339 time, a date or epoch milliseconds',
} as const;

export const queryText = { type: 'string', maxLength: 4000, description: "Vigil's query language (src/query/LANGUAGE.md); empty = every event" } as const;

/** Query parameters of every events endpoint. */
export const filterQuerystring = {
  q: queryText,
  since: { ...timeBound, description: `inclusive lower bound: ${timeBound.description}` },
  until: { ...timeBound, description: `exclusive upper bound: ${timeBound.description}` },
} as const;

/** A stored event as `vigil query -o json` prints it: ECS-style nested fields, `vigil.seq`, `vigil.original`. */
export const eventDocumentSchema = {
  type: 'object',
  additionalProperties: true,
  properties: { '@timestamp': { type: 'string', format: 'date-time' } },
} as const;

export const ruleSchema = {
  type: 'object',
  required: ['id', 'title', 'severity', 'format', 'techniques', 'enabled', 'operator', 'hits'],
  properties: {
    id: { type: 'string' },
    title: { type: 'string' },
    description: { type: 'string' },
    severity: { type: 'string', enum: ['info', 'low', 'medium', 'high', 'critical'] },
    format: { type: 'string', enum: ['vigil', 'sigma', 'falco'] },
    techniques: { type: 'array', items: { type: 'string' } },
    runbook: { type: 'string' },
    origin: { type: 'string' },
    author: { type: 'string' },
    enabled: { type: 'boolean' },
    sources: { type: 'array', items: { type: 'string' }, description: 'absent: every source' },
    operator: { type: 'string', enum: ['match', 'threshold', 'baseline', 'new_value', 'sequence', 'absence'] },
    hits: {
      type: 'object',
      required: ['alerts', 'open', 'detections'],
      properties: {
        alerts: { type: 'integer', description: 'alerts the rule raised' },
        open: { type: 'integer', description: 'of which still open' },
        detections: { type: 'integer', description: 'detections folded into those alerts' },
        lastSeen: { type: 'string', format: 'date-time' },
      },
    },
    coverage: {
      type: 'object',
      description: 'whether the audit policy lets the rule fire (from the posture report); absent without a policy',
      properties: { status: { type: 'string' }, covered: { type: 'integer' }, checked: { type: 'integer' } },
    },
  },
} as const;
