import type { FastifyInstance, RouteOptions } from 'fastify';
import type { RoleGuard } from './auth/bearer.js';

/**
 * The OpenAPI 3.1 document of the server, built from the routes as they are registered: their
 * JSON Schemas (the same ones Fastify validates and serializes with), summaries and tags, and
 * the role their guard needs. Routes without schemas are listed with what is known of them.
 */

declare module 'fastify' {
  interface FastifySchema {
    summary?: string;
    description?: string;
    tags?: readonly string[];
  }
}

type JsonSchema = Record<string, unknown>;

interface RouteInfo {
  method: string;
  url: string;
  schema: Record<string, unknown>;
  role?: string;
  /** Needs no credential at all. */
  open: boolean;
}

const DOCUMENTED_PREFIXES = ['/api/', '/healthz', '/readyz', '/metrics'];
/** Routes anyone may call; every other route needs a credential (its guard's role, or the receiver's own token check). */
const PUBLIC_PATHS = ['/healthz', '/readyz', '/api/v1/session'];

export class OpenApiCollector {
  private readonly routes: RouteInfo[] = [];

  /** Must be installed before any route is registered. */
  install(app: FastifyInstance): void {
    app.addHook('onRoute', (route) => this.add(route));
  }

  document(version: string): JsonSchema {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const route of this.routes) {
      const path = route.url.replace(/:([A-Za-z_]\w*)/g, '{$1}');
      paths[path] ??= {};
      paths[path][route.method.toLowerCase()] = operation(route);
    }
    return {
      openapi: '3.1.0',
      info: {
        title: 'Vigil API',
        version,
        description:
          'Capture, keep tamper-evident, detect, alert and assess Kubernetes logging. Authenticate with a bearer token (vigil tokens create) or the UI session cookie; with the cookie, state-changing requests need the x-csrf-token header from GET /api/v1/session.',
      },
      // Unless an operation says otherwise, a bearer token or a UI session is needed.
      security: [{ bearer: [] }, { session: [] }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'vgl_… token from vigil tokens create' },
          session: { type: 'apiKey', in: 'cookie', name: 'vigil_session', description: 'UI session from POST /api/v1/session' },
        },
      },
      paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    };
  }

  private add(route: RouteOptions): void {
    if (!DOCUMENTED_PREFIXES.some((prefix) => route.url.startsWith(prefix))) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const role = guardRole(route.preHandler);
    // An unguarded /metrics is the operator's choice (--metrics-public).
    const open = PUBLIC_PATHS.includes(route.url) || (route.url === '/metrics' && role === undefined);
    for (const method of methods) {
      if (method === 'HEAD') continue;
      this.routes.push({ method, url: route.url, schema: (route.schema ?? {}) as Record<string, unknown>, role, open });
    }
  }
}

function guardRole(preHandler: RouteOptions['preHandler']): string | undefined {
  const handlers = Array.isArray(preHandler) ? preHandler : preHandler ? [preHandler] : [];
  return handlers.map((handler) => (handler as Partial<RoleGuard>).role).find((role) => role !== undefined);
}

function operation(route: RouteInfo): Record<string, unknown> {
  const { schema } = route;
  const result: Record<string, unknown> = {
    operationId: `${route.method.toLowerCase()}${route.url.replace(/[^A-Za-z0-9]+(.)?/g, (_match, next: string | undefined) => (next ?? '').toUpperCase())}`,
  };
  for (const key of ['summary', 'description', 'tags'] as const) if (schema[key] !== undefined) result[key] = schema[key];
  const parameters = [...parametersOf(schema.params, 'path'), ...parametersOf(schema.querystring, 'query')];
  if (parameters.length > 0) result.parameters = parameters;
  if (schema.body) result.requestBody = { required: true, content: { 'application/json': { schema: schema.body } } };
  result.responses = responsesOf(schema.response as Record<string, JsonSchema> | undefined, route.role);
  if (route.role) result['x-vigil-role'] = route.role;
  if (route.open) result.security = [];
  return result;
}

function parametersOf(schema: unknown, location: 'path' | 'query'): JsonSchema[] {
  const object = schema as { properties?: Record<string, JsonSchema>; required?: string[] } | undefined;
  if (!object?.properties) return [];
  return Object.entries(object.properties).map(([name, property]) => {
    const { description, ...rest } = property;
    const parameter: JsonSchema = { name, in: location, required: location === 'path' || (object.required ?? []).includes(name), schema: rest };
    if (description !== undefined) parameter.description = description;
    if (rest.type === 'array') Object.assign(parameter, { style: 'form', explode: true });
    return parameter;
  });
}

function responsesOf(response: Record<string, JsonSchema> | undefined, role: string | undefined): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  for (const [status, schema] of Object.entries(response ?? {})) {
    responses[status] = schema.type === 'null' ? { description: describeStatus(status) } : { description: describeStatus(status), content: { 'application/json': { schema } } };
  }
  if (Object.keys(responses).length === 0) responses['200'] = { description: 'OK' };
  if (role) {
    responses['401'] ??= { description: 'no valid bearer token or session' };
    responses['403'] ??= { description: `the token's role is below ${role}, or a cookie request without its CSRF token` };
  }
  return responses;
}

const STATUS_TEXT: Record<string, string> = {
  '200': 'OK',
  '202': 'Accepted',
  '204': 'No Content',
  '400': 'Bad request: the message says what to change',
  '401': 'Not authenticated',
  '403': 'Forbidden',
  '404': 'Not found',
  '429': 'Too many requests',
  '503': 'Not available on this server',
};

function describeStatus(status: string): string {
  return STATUS_TEXT[status] ?? `HTTP ${status}`;
}
