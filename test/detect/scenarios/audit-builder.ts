/**
 * Builds Kubernetes audit Events (audit.k8s.io/v1) the way kube-apiserver writes them, for the
 * detection scenarios: one request → one event at ResponseComplete (and one at ResponseStarted
 * for exec/attach/port-forward). Deterministic for a given random source.
 */

export type RawAuditEvent = Record<string, unknown>;

export interface Actor {
  username: string;
  groups: string[];
  ip: string;
  userAgent: string;
}

export interface Target {
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** API group; "" or absent for the core group. */
  group?: string;
}

export interface RequestOptions {
  /** HTTP status; 200 (201 for create) when absent. */
  code?: number;
  query?: string;
  /** Non-resource path (`/readyz`) instead of a target. */
  path?: string;
  requestObject?: unknown;
  impersonate?: { username: string; groups?: string[] };
  level?: 'Metadata' | 'Request' | 'RequestResponse';
}

const API_GROUP_VERSION: Record<string, string> = {
  '': 'v1',
  apps: 'v1',
  batch: 'v1',
  'rbac.authorization.k8s.io': 'v1',
  'coordination.k8s.io': 'v1',
  'certificates.k8s.io': 'v1',
  'admissionregistration.k8s.io': 'v1',
  'discovery.k8s.io': 'v1',
  'authorization.k8s.io': 'v1',
  'events.k8s.io': 'v1',
  'networking.k8s.io': 'v1',
  'autoscaling': 'v2',
  'policy': 'v1',
};

/** A seeded PRNG (mulberry32): the same seed gives the same day. */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  hex(length: number): string {
    let out = '';
    while (out.length < length) out += Math.floor(this.next() * 16).toString(16);
    return out;
  }
  uuid(): string {
    return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-a${this.hex(3)}-${this.hex(12)}`;
  }
}

export function uriOf(target: Target): string {
  const group = target.group ?? '';
  const base = group === '' ? '/api/v1' : `/apis/${group}/${API_GROUP_VERSION[group] ?? 'v1'}`;
  let path = base;
  if (target.namespace !== undefined && target.resource !== 'namespaces') path += `/namespaces/${target.namespace}`;
  path += `/${target.resource}`;
  if (target.name !== undefined) path += `/${target.name}`;
  if (target.subresource !== undefined) path += `/${target.subresource}`;
  return path;
}

/** RFC 3339 with microseconds, as kube-apiserver writes timestamps. */
function iso(ms: number, extraMicros: number): string {
  const totalMicros = ms * 1000 + extraMicros;
  const wholeSeconds = Math.floor(totalMicros / 1_000_000);
  const base = new Date(wholeSeconds * 1000).toISOString().slice(0, 19);
  return `${base}.${String(totalMicros - wholeSeconds * 1_000_000).padStart(6, '0')}Z`;
}

const LONG_RUNNING = new Set(['exec', 'attach', 'portforward']);

export class AuditWriter {
  readonly events: RawAuditEvent[] = [];

  constructor(private readonly random: Random) {}

  request(time: number, actor: Actor, verb: string, target: Target | undefined, options: RequestOptions = {}): void {
    const code = options.code ?? (verb === 'create' ? 201 : 200);
    const allowed = code !== 401 && code !== 403;
    const uri = options.path ?? `${uriOf(target as Target)}${options.query ? `?${options.query}` : ''}`;
    const auditID = this.random.uuid();
    const latencyMicros = this.random.int(800, 40_000);
    const event: RawAuditEvent = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: options.level ?? (options.requestObject === undefined ? 'Metadata' : 'RequestResponse'),
      auditID,
      stage: 'ResponseComplete',
      requestURI: uri,
      verb,
      user: { username: actor.username, groups: actor.groups },
      sourceIPs: [actor.ip],
      userAgent: actor.userAgent,
    };
    if (options.impersonate) event.impersonatedUser = options.impersonate;
    if (target !== undefined) {
      const group = target.group ?? '';
      // kube-apiserver fills in the name of a created object from the request body.
      const name = target.name ?? (verb === 'create' ? nameInBody(options.requestObject) : undefined);
      event.objectRef = {
        resource: target.resource,
        ...(target.namespace !== undefined ? { namespace: target.namespace } : {}),
        ...(name !== undefined ? { name } : {}),
        ...(group !== '' ? { apiGroup: group } : {}),
        apiVersion: API_GROUP_VERSION[group] ?? 'v1',
        ...(target.subresource !== undefined ? { subresource: target.subresource } : {}),
      };
    }
    event.responseStatus = allowed ? { metadata: {}, code } : { metadata: {}, status: 'Failure', reason: code === 401 ? 'Unauthorized' : 'Forbidden', code };
    if (options.requestObject !== undefined) event.requestObject = options.requestObject;
    event.requestReceivedTimestamp = iso(time, 0);
    event.stageTimestamp = iso(time, latencyMicros);
    event.annotations = code === 401 ? {} : {
      'authorization.k8s.io/decision': allowed ? 'allow' : 'forbid',
      'authorization.k8s.io/reason': allowed ? reasonFor(actor) : '',
    };
    const longRunning = target?.subresource !== undefined && LONG_RUNNING.has(target.subresource) && allowed;
    if (longRunning) {
      this.events.push({ ...event, stage: 'ResponseStarted', responseStatus: { metadata: {}, code: 101 }, stageTimestamp: iso(time, 900) });
      const sessionMs = this.random.int(20_000, 600_000);
      this.events.push({ ...event, responseStatus: { metadata: {}, code: 101 }, stageTimestamp: iso(time + sessionMs, 0) });
      return;
    }
    this.events.push(event);
  }
}

function nameInBody(body: unknown): string | undefined {
  const name = (body as { metadata?: { name?: unknown } } | undefined)?.metadata?.name;
  return typeof name === 'string' ? name : undefined;
}

function reasonFor(actor: Actor): string {
  if (actor.username.startsWith('system:node:')) return '';
  return `RBAC: allowed by ClusterRoleBinding "vigil-scenario" to ${actor.username.startsWith('system:serviceaccount:') ? 'ServiceAccount' : 'User'} "${actor.username}"`;
}

const STAGE_ORDER: Record<string, number> = { RequestReceived: 0, ResponseStarted: 1, ResponseComplete: 2, Panic: 3 };

/** Events in request order (ResponseStarted before ResponseComplete of the same request). */
export function sortByTime(events: RawAuditEvent[]): RawAuditEvent[] {
  const key = (event: RawAuditEvent) => String(event.requestReceivedTimestamp);
  const stage = (event: RawAuditEvent) => STAGE_ORDER[String(event.stage)] ?? 9;
  return [...events].sort((a, b) => key(a).localeCompare(key(b)) || stage(a) - stage(b));
}
