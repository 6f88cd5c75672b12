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
    enabled: { type: 'boolean', description: "whether the server runs it: an admin's choice (see changed) or else its file's enabled:" },
    changed: {
      type: 'object',
      description: 'the last enable or disable through the API or vigil rules; absent: as its file says',
      required: ['by', 'at'],
      properties: { by: { type: 'string' }, at: { type: 'string', format: 'date-time' }, reason: { type: 'string' } },
    },
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

/** Optional body of enable and disable. */
export const ruleChangeBodySchema = {
  anyOf: [
    { type: 'null' },
    { type: 'object', properties: { reason: { type: 'string', maxLength: 2000, description: 'why, for the ledger record' } } },
  ],
} as const;

/** An alert as `vigil detect -o ndjson` prints it (DESIGN.md). */
const alertJsonSchema = {
  type: 'object',
  required: ['id', 'rule', 'techniques', 'entity', 'count', 'firstSeen', 'lastSeen', 'summary', 'events'],
  properties: {
    id: { type: 'string' },
    rule: {
      type: 'object',
      properties: { id: { type: 'string' }, title: { type: 'string' }, severity: { type: 'string' }, format: { type: 'string' }, author: { type: 'string' }, nativeSeverity: { type: 'string' } },
    },
    techniques: { type: 'array', items: { type: 'string' } },
    entity: { type: 'object', additionalProperties: { type: 'string' } },
    count: { type: 'integer' },
    firstSeen: { type: 'string', format: 'date-time' },
    lastSeen: { type: 'string', format: 'date-time' },
    summary: { type: 'string' },
    events: { type: 'array', items: { type: 'string' } },
  },
} as const;

/**
 * Body of a rule test: events as a rule's own tests hold them (raw audit events, `{"ecs": {…}}`
 * events of other sources, `{"repeat", "every", "event"}` bursts, `{"tick"}` clock moves).
 */
export const ruleTrialBodySchema = {
  description:
    'a JSON array of events, one event, or an audit EventList; or NDJSON text (content-type application/x-ndjson or text/plain), at most 5000 events and 1 MiB',
  anyOf: [
    { type: 'string', maxLength: 1 << 20 },
    { type: 'array', minItems: 1, maxItems: 5000, items: { type: 'object' } },
    { type: 'object' },
  ],
} as const;

export const ruleTrialSchema = {
  type: 'object',
  required: ['rule', 'events', 'matched', 'detections', 'alerts', 'notes'],
  properties: {
    rule: { type: 'string' },
    events: { type: 'integer', description: 'events run, bursts expanded' },
    matched: {
      type: 'array',
      description: "events that meet the rule's source and condition",
      items: {
        type: 'object',
        required: ['index', 'eventId', 'time', 'inAlert'],
        properties: {
          index: { type: 'integer', description: 'position among the events, 0-based' },
          eventId: { type: 'string' },
          time: { type: 'string', format: 'date-time' },
          inAlert: { type: 'boolean', description: 'named by an alert (a stateful rule fires on some of the events it matches)' },
        },
      },
    },
    detections: { type: 'integer' },
    alerts: { type: 'array', items: alertJsonSchema, description: 'what the rule would raise on these events alone; nothing is stored or sent' },
    notes: { type: 'array', items: { type: 'string' } },
  },
} as const;

/** The rule's own test cases run, as `vigil rules test` does. */
export const ruleSelfTestSchema = {
  type: 'object',
  required: ['rule', 'results', 'failed', 'untested'],
  properties: {
    rule: { type: 'string' },
    results: {
      type: 'array',
      items: {
        type: 'object',
        required: ['kind', 'name', 'passed'],
        properties: { kind: { type: 'string', enum: ['positive', 'negative'] }, name: { type: 'string' }, passed: { type: 'boolean' }, problem: { type: 'string' } },
      },
    },
    failed: { type: 'integer' },
    untested: { type: 'boolean', description: 'the rule lacks a positive or a negative test' },
  },
} as const;
