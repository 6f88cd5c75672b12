import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIELDS } from '../model/fields.js';
import { normalizeAuditEvent } from '../model/k8s-audit.js';
import { type CompiledQuery, type QueryTarget, compileQuery } from './compile.js';
import { QueryError } from './query-error.js';
import { registerSqliteFunctions } from './sqlite-functions.js';
import { sqliteDialect } from './sqlite-dialect.js';

const T0 = Date.UTC(2026, 0, 10);
const minute = (n: number): number => T0 + n * 60_000;

interface AuditSpec {
  id: string;
  verb: string;
  user: string;
  groups?: string[];
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  code: number;
  message?: string;
  cluster?: string;
  extra?: Record<string, unknown>;
}

/** An audit.k8s.io/v1 Event; event N happens at minute N so the default order (newest first) is a12, a11, … */
function audit(spec: AuditSpec): Record<string, unknown> {
  const minuteOf = Number(spec.id.slice(1));
  const objectRef =
    spec.resource === undefined
      ? undefined
      : { resource: spec.resource, subresource: spec.subresource, namespace: spec.namespace, name: spec.name, apiVersion: 'v1' };
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'RequestResponse',
    auditID: spec.id,
    stage: 'ResponseComplete',
    requestURI: `/api/v1/${spec.resource ?? 'healthz'}`,
    verb: spec.verb,
    user: { username: spec.user, ...(spec.groups ? { groups: spec.groups } : {}) },
    sourceIPs: ['10.0.0.1'],
    userAgent: 'kubectl/v1.30.0',
    objectRef,
    responseStatus: { metadata: {}, code: spec.code, ...(spec.message ? { message: spec.message } : {}) },
    requestReceivedTimestamp: new Date(minute(minuteOf)).toISOString(),
    stageTimestamp: new Date(minute(minuteOf) + 5).toISOString(),
    ...spec.extra,
  };
}

const MASTERS = ['system:masters', 'system:authenticated'];
const DEVS = ['devs', 'system:authenticated'];

const AUDIT_EVENTS: AuditSpec[] = [
  {
    id: 'a01', verb: 'create', user: 'admin', groups: MASTERS, resource: 'pods', namespace: 'default', name: 'web', code: 201,
    extra: { requestObject: { kind: 'Pod', metadata: { labels: { 'team-name': 'payments', 'owner/team': 'sre' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.25', securityContext: { privileged: true } }] } } },
  },
  { id: 'a02', verb: 'get', user: 'admin', groups: MASTERS, resource: 'secrets', namespace: 'prod', name: 'db-pass', code: 200 },
  { id: 'a03', verb: 'list', user: 'alice', groups: DEVS, resource: 'pods', namespace: 'dev', code: 200 },
  {
    id: 'a04', verb: 'delete', user: 'alice', groups: DEVS, resource: 'deployments', namespace: 'dev', name: 'api', code: 403,
    message: 'deployments.apps "api" is forbidden: User "alice" cannot delete resource "deployments" in API group "apps"',
  },
  { id: 'a05', verb: 'create', user: 'bob', groups: DEVS, resource: 'pods', subresource: 'exec', namespace: 'prod', name: 'web', code: 101 },
  {
    id: 'a06', verb: 'create', user: 'system:serviceaccount:kube-system:job-controller', groups: ['system:serviceaccounts'], resource: 'pods', namespace: 'batch', name: 'job-1', code: 201,
    extra: { requestObject: { kind: 'Pod', spec: { containers: [{ image: 'busybox' }, { image: 'alpine', securityContext: { privileged: false } }] } } },
  },
  { id: 'a07', verb: 'patch', user: 'system:node:node-1', groups: ['system:nodes'], resource: 'nodes', name: 'node-1', code: 200, cluster: 'lab' },
  { id: 'a08', verb: 'get', user: 'system:anonymous', code: 401, message: 'Unauthorized' },
  { id: 'a09', verb: 'delete', user: 'admin', groups: MASTERS, resource: 'namespaces', name: 'old', code: 200 },
  {
    id: 'a10', verb: 'update', user: 'bob', groups: DEVS, resource: 'configmaps', namespace: 'prod', name: 'settings', code: 409,
    message: 'Operation cannot be fulfilled on configmaps "settings": the object has been modified',
  },
  {
    id: 'a11', verb: 'create', user: 'carol', groups: DEVS, resource: 'pods', namespace: 'dev', name: 'twin', code: 201,
    extra: { requestObject: { kind: 'Pod', spec: { containers: [{ image: 'nginx:1.25' }, { image: 'nginx:1.25' }] } } },
  },
  { id: 'a12', verb: 'get', user: 'admin-backup', groups: MASTERS, resource: 'secrets', namespace: 'prod', name: 'db-pass', code: 200 },
  { id: 'a13', verb: 'get', user: 'alice', groups: DEVS, resource: 'pods', namespace: 'dev', name: 'web', code: 200, extra: { impersonatedUser: { username: 'system:admin' } } },
  { id: 'a14', verb: 'get', user: "o'brien", groups: DEVS, resource: 'configmaps', namespace: 'dev', name: 'cfg[1]?', code: 200 },
  { id: 'a15', verb: 'list', user: 'system:serviceaccount:monitoring:prometheus', groups: ['system:serviceaccounts'], resource: 'pods', code: 200, cluster: 'lab' },
  {
    id: 'a16', verb: 'create', user: 'bob', groups: DEVS, resource: 'deployments', namespace: 'prod', name: 'api', code: 201, message: 'quota 100% used: axb',
    extra: { requestObject: { kind: 'Deployment', spec: { replicas: 3, paused: false } } },
  },
  { id: 'a17', verb: 'watch', user: 'alice', groups: DEVS, resource: 'configmaps', namespace: 'dev', name: 'we"ird\\path', code: 200 },
  { id: 'a18', verb: 'delete', user: 'admin', groups: MASTERS, resource: 'pods', namespace: 'default', name: 'web', code: 200 },
  { id: 'a19', verb: 'get', user: 'system:anonymous', code: 403, message: 'forbidden: User "system:anonymous" cannot get path "/"' },
  { id: 'a20', verb: 'patch', user: 'carol', groups: DEVS, resource: 'secrets', namespace: 'prod', name: 'nope', code: 404, message: 'secrets "nope" not found' },
];

const db = new Database(':memory:');
const COLUMNS = ['seq', ...FIELDS.map((field) => field.column), 'record'];

beforeAll(() => {
  const definitions = COLUMNS.map((column) => {
    if (column === 'seq') return 'seq INTEGER PRIMARY KEY';
    return `${column} ${['ts', 'status_code'].includes(column) ? 'INTEGER' : 'TEXT'}`;
  });
  db.exec(`CREATE TABLE events (${definitions.join(', ')})`);
  for (const index of [['ts'], ['user_name', 'ts'], ['resource', 'action'], ['namespace', 'ts']]) {
    db.exec(`CREATE INDEX events_${index.join('_')} ON events (${index.join(', ')})`);
  }
  db.exec("CREATE VIRTUAL TABLE events_fts USING fts5(message, content='', contentless_delete=1)");
  registerSqliteFunctions(db);
  const insert = db.prepare(`INSERT INTO events (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`);
  const insertText = db.prepare('INSERT INTO events_fts (rowid, message) VALUES (?, ?)');
  AUDIT_EVENTS.forEach((spec, i) => {
    const raw = audit(spec);
    const event = normalizeAuditEvent(raw, JSON.stringify(raw), spec.cluster ?? 'prod-cluster');
    const values = FIELDS.map((field) => {
      const value = field.get(event);
      return Array.isArray(value) ? JSON.stringify(value) : (value ?? null);
    });
    insert.run(i + 1, ...values, event.record);
    if (event.message) insertText.run(i + 1, event.message);
  });
});

const target = (overrides: Partial<QueryTarget> = {}): QueryTarget => ({ dialect: sqliteDialect, from: 'events', fts: 'events_fts', range: {}, ...overrides });

function run(query: string, overrides: Partial<QueryTarget> = {}): { compiled: CompiledQuery; rows: Record<string, unknown>[] } {
  const compiled = compileQuery(query, target(overrides));
  return { compiled, rows: db.prepare(compiled.sql).all(...compiled.params) as Record<string, unknown>[] };
}

/** Audit IDs of the events a query returns, in order. */
const ids = (query: string, overrides: Partial<QueryTarget> = {}): string[] => run(query, overrides).rows.map((row) => row.audit_id as string);
/** Same, sorted: for checking which events match regardless of order. */
const matching = (query: string, overrides: Partial<QueryTarget> = {}): string[] => ids(query, overrides).sort();

function compileError(query: string): QueryError {
  try {
    compileQuery(query, target());
  } catch (error) {
    if (error instanceof QueryError) return error;
    throw error;
  }
  throw new Error(`expected a QueryError for ${query}`);
}

describe('compileQuery on SQLite: normalized fields', () => {
  it('returns exactly the matching events, newest first (the issue\'s own example)', () => {
    expect(ids('user.name="admin" event.action=create')).toEqual(['a01']);
    expect(ids('user=admin')).toEqual(['a18', 'a09', 'a02', 'a01']);
  });

  it('returns full rows keyed by store column, with the original record', () => {
    const { compiled, rows } = run('auditid=a05');
    expect(compiled).toMatchObject({ shape: 'events', columns: [] });
    expect(rows[0]).toMatchObject({ seq: 5, ts: minute(5), user_name: 'bob', action: 'create', subresource: 'exec', status_code: 101 });
    expect(JSON.parse(rows[0].record as string)).toMatchObject({ auditID: 'a05' });
  });

  it('treats != as "present and different", and not as the plain complement', () => {
    expect(matching('ns!=dev')).toEqual(['a01', 'a02', 'a05', 'a06', 'a10', 'a12', 'a16', 'a18', 'a20']);
    expect(matching('not ns=dev')).toEqual(['a01', 'a02', 'a05', 'a06', 'a07', 'a08', 'a09', 'a10', 'a12', 'a15', 'a16', 'a18', 'a19', 'a20']);
  });

  it('compares numbers', () => {
    expect(matching('code>=400')).toEqual(['a04', 'a08', 'a10', 'a19', 'a20']);
    expect(matching('code>400 code<404')).toEqual(['a04', 'a08', 'a19']);
    expect(matching('code<=101')).toEqual(['a05']);
    expect(matching('status=409')).toEqual(['a10']);
  });

  it('matches in-lists, negated in-lists and wildcards inside them', () => {
    expect(matching('verb=(delete, update)')).toEqual(['a04', 'a09', 'a10', 'a18']);
    expect(matching('verb!=(get, list, watch, create)')).toEqual(['a04', 'a07', 'a09', 'a10', 'a18', 'a20']);
    expect(matching('user=(carol, system:node:*)')).toEqual(['a07', 'a11', 'a20']);
  });

  it('matches wildcards: prefix, infix, suffix; quoted stars are literal', () => {
    expect(matching('user=admin*')).toEqual(['a01', 'a02', 'a09', 'a12', 'a18']);
    expect(matching('user=*controller*')).toEqual(['a06']);
    expect(matching('user=*:prometheus')).toEqual(['a15']);
    expect(matching('user="admin*"')).toEqual([]);
  });

  it('makes GLOB characters in wildcard values literal', () => {
    expect(matching('name=cfg[1]?*')).toEqual(['a14']);
    expect(matching('name=*[1]*')).toEqual(['a14']);
    expect(matching('name=cfg?1*')).toEqual([]);
  });

  it('binds values with quotes and backslashes', () => {
    expect(matching('user="o\'brien"')).toEqual(['a14']);
    expect(matching("user=o'brien")).toEqual(['a14']);
    expect(matching('name="we\\"ird\\\\path"')).toEqual(['a17']);
  });

  it('tests presence with exists and =*, and absence with not / !=*', () => {
    expect(matching('ns exists')).toEqual(matching('ns=*'));
    expect(matching('not ns exists')).toEqual(['a07', 'a08', 'a09', 'a15', 'a19']);
    expect(matching('ns!=*')).toEqual(['a07', 'a08', 'a09', 'a15', 'a19']);
    expect(matching('msg exists')).toEqual(['a04', 'a08', 'a10', 'a16', 'a19', 'a20']);
  });

  it('matches regular expressions (unanchored, (?i) for case-insensitive), and their negation', () => {
    expect(matching('user=~"^system:serviceaccount:"')).toEqual(['a06', 'a15']);
    expect(matching('user=~anon')).toEqual(['a08', 'a19']);
    expect(matching('user=~"(?i)^ALICE$"')).toEqual(['a03', 'a04', 'a13', 'a17']);
    expect(matching('user!~"^(system|admin)"')).toEqual(['a03', 'a04', 'a05', 'a10', 'a11', 'a13', 'a14', 'a16', 'a17', 'a20']);
    expect(matching('code=~"^40[34]$"')).toEqual(['a04', 'a19', 'a20']);
  });

  it('treats the group list as "contains" for =, wildcards, regexes, != and exists', () => {
    expect(matching('groups=system:masters')).toEqual(['a01', 'a02', 'a09', 'a12', 'a18']);
    expect(matching('user.group.name=system:node*')).toEqual(['a07']);
    expect(matching('groups=~"accounts$"')).toEqual(['a06', 'a15']);
    expect(matching('groups!=system:authenticated')).toEqual(['a06', 'a07', 'a15']);
    expect(matching('not groups exists')).toEqual(['a08', 'a19']);
  });

  it('combines and, or, not and parentheses', () => {
    expect(matching('(user=alice or user=bob) code>=400')).toEqual(['a04', 'a10']);
    expect(matching('user=alice or user=bob code>=400')).toEqual(['a03', 'a04', 'a10', 'a13', 'a17']);
    expect(matching('not (verb=get or verb=list or verb=watch) ns=dev')).toEqual(['a04', 'a11']);
    expect(matching('cluster=lab')).toEqual(['a07', 'a15']);
  });

  it('compares @timestamp with RFC 3339 times and epoch ms', () => {
    expect(matching('@timestamp>=2026-01-10T00:18:00Z')).toEqual(['a18', 'a19', 'a20']);
    expect(matching(`@timestamp<${minute(2)}`)).toEqual(['a01']);
    expect(matching('@timestamp>2026-01-10T02:18:30+02:00 @timestamp<=2026-01-10T00:20:00Z')).toEqual(['a19', 'a20']);
  });

  it('applies the time range as ts >= since and ts < until', () => {
    const range = { since: minute(5), until: minute(8) };
    expect(ids('', { range })).toEqual(['a07', 'a06', 'a05']);
    expect(ids('user=admin', { range: { since: minute(9) } })).toEqual(['a18', 'a09']);
    expect(run('user=admin', { range }).compiled.sql).toContain('(e.ts >= ?) AND (e.ts < ?)');
  });
});

describe('compileQuery on SQLite: raw paths of the original record', () => {
  it('matches plain paths', () => {
    expect(matching('objectRef.subresource=exec')).toEqual(['a05']);
    expect(matching('impersonatedUser.username exists')).toEqual(['a13']);
    expect(matching('requestObject.kind=Deployment')).toEqual(['a16']);
  });

  it('fans out over [*] and matches JSON booleans by their text', () => {
    expect(matching('requestObject.spec.containers[*].securityContext.privileged=true')).toEqual(['a01']);
    expect(matching('requestObject.spec.containers[*].securityContext.privileged=false')).toEqual(['a06']);
    expect(matching('requestObject.spec.containers[*].image=nginx*')).toEqual(['a01', 'a11']);
    expect(matching('requestObject.spec.containers[*].image exists')).toEqual(['a01', 'a06', 'a11']);
    expect(matching('requestObject.spec.containers[*].image!=busybox')).toEqual(['a01', 'a11']);
  });

  it('picks array elements by index', () => {
    expect(matching('requestObject.spec.containers[0].image=busybox')).toEqual(['a06']);
    expect(matching('requestObject.spec.containers[1].image=busybox')).toEqual([]);
  });

  it('treats a path that ends on an array as its elements ("contains")', () => {
    expect(matching('user.groups=system:masters')).toEqual(matching('groups=system:masters'));
    expect(matching('sourceIPs=10.0.0.1')).toHaveLength(AUDIT_EVENTS.length);
  });

  it('compares JSON numbers numerically and accepts their text', () => {
    expect(matching('requestObject.spec.replicas>2')).toEqual(['a16']);
    expect(matching('requestObject.spec.replicas>3')).toEqual([]);
    expect(matching('requestObject.spec.replicas=3.0')).toEqual(['a16']);
    expect(matching('requestObject.spec.replicas="3"')).toEqual(['a16']);
    expect(matching('responseStatus.code>=404 responseStatus.code<409')).toEqual(['a20']);
  });

  it('counts objects and JSON null as present for exists, and objects never equal a value', () => {
    expect(matching('objectRef exists')).toHaveLength(AUDIT_EVENTS.length - 2);
    expect(matching('responseStatus.metadata exists')).toHaveLength(AUDIT_EVENTS.length);
    expect(matching('objectRef=pods')).toEqual([]);
  });

  it('reads keys with - and / and regexes over raw values', () => {
    expect(matching('requestObject.metadata.labels.team-name=payments')).toEqual(['a01']);
    expect(matching('requestObject.metadata.labels.owner/team=sre')).toEqual(['a01']);
    expect(matching('requestURI=~"/(secrets|nodes)$"')).toEqual(['a02', 'a07', 'a12', 'a20']);
  });

  it('keeps != and not apart on raw paths too', () => {
    expect(matching('objectRef.namespace!=dev objectRef.resource=pods')).toEqual(['a01', 'a05', 'a06', 'a18']);
    expect(matching('not objectRef.namespace=dev objectRef.resource=pods')).toEqual(['a01', 'a05', 'a06', 'a15', 'a18']);
  });
});

describe('compileQuery on SQLite: free text', () => {
  it('searches the message with FTS5: words, phrases and prefixes, case-insensitively', () => {
    expect(matching('forbidden')).toEqual(['a04', 'a19']);
    expect(matching('FORBIDDEN alice')).toEqual(['a04']);
    expect(matching('"object has been modified"')).toEqual(['a10']);
    expect(matching('"modified has been"')).toEqual([]);
    expect(matching('unauthor*')).toEqual(['a08']);
    expect(matching('forbidden or "not found"')).toEqual(['a04', 'a19', 'a20']);
  });

  it('never lets user text become FTS5 syntax', () => {
    expect(matching('"alice OR bob"')).toEqual([]);
    expect(matching('"NEAR(forbidden alice)"')).toEqual([]);
    expect(matching('"message:forbidden"')).toEqual([]);
    expect(matching('"\\"api\\" is forbidden"')).toEqual(['a04']);
    expect(matching('"-" "*" "^"')).toEqual([]);
  });

  it('reads a lone unquoted * as every event', () => {
    expect(matching('*')).toHaveLength(AUDIT_EVENTS.length);
    expect(matching('* code=409')).toEqual(['a10']);
    expect(matching('not *')).toEqual([]);
  });

  it('falls back to LIKE on the message without an FTS table, with % and _ taken literally', () => {
    const noFts = { fts: undefined };
    expect(matching('forbidden', noFts)).toEqual(['a04', 'a19']);
    expect(matching('"has been modified"', noFts)).toEqual(['a10']);
    expect(matching('"100%"', noFts)).toEqual(['a16']);
    expect(matching('"a_b"', noFts)).toEqual([]);
    expect(matching('"100%"', noFts)).toEqual(matching('"100"'));
  });
});

describe('compileQuery on SQLite: pipeline stages', () => {
  it('counts by a field, ordered by the by-fields', () => {
    const { compiled, rows } = run('| stats count() by verb');
    expect(compiled).toMatchObject({ shape: 'table', columns: ['verb', 'count()'] });
    expect(rows).toEqual([
      { verb: 'create', 'count()': 5 },
      { verb: 'delete', 'count()': 3 },
      { verb: 'get', 'count()': 6 },
      { verb: 'list', 'count()': 2 },
      { verb: 'patch', 'count()': 2 },
      { verb: 'update', 'count()': 1 },
      { verb: 'watch', 'count()': 1 },
    ]);
  });

  it('sorts by a stats column, names columns with as, and cuts with head', () => {
    expect(run('| stats count() as n by user.name | sort -n | head 3').rows).toEqual([
      { 'user.name': 'admin', n: 4 },
      { 'user.name': 'alice', n: 4 },
      { 'user.name': 'bob', n: 3 },
    ]);
    expect(run('verb=get | stats count() by ns, user | sort -count(), -user').rows).toEqual([
      { ns: 'prod', user: 'admin-backup', 'count()': 1 },
      { ns: 'prod', user: 'admin', 'count()': 1 },
      { ns: 'dev', user: "o'brien", 'count()': 1 },
      { ns: 'dev', user: 'alice', 'count()': 1 },
      { ns: null, user: 'system:anonymous', 'count()': 2 },
    ].sort((a, b) => b['count()'] - a['count()'] || b.user.localeCompare(a.user)));
  });

  it('computes dc, min, max, avg and sum without by as one row', () => {
    const { compiled, rows } = run('code>=400 | stats count(), dc(user), min(code), max(code), avg(code), sum(code), count(ns)');
    expect(compiled.columns).toEqual(['count()', 'dc(user)', 'min(code)', 'max(code)', 'avg(code)', 'sum(code)', 'count(ns)']);
    expect(rows).toEqual([{ 'count()': 5, 'dc(user)': 4, 'min(code)': 401, 'max(code)': 409, 'avg(code)': 2020 / 5, 'sum(code)': 2020, 'count(ns)': 3 }]);
  });

  it('groups by a list field once per value, and events without one under null, last', () => {
    expect(run('| stats count() by groups').rows).toEqual([
      { groups: 'devs', 'count()': 10 },
      { groups: 'system:authenticated', 'count()': 15 },
      { groups: 'system:masters', 'count()': 5 },
      { groups: 'system:nodes', 'count()': 1 },
      { groups: 'system:serviceaccounts', 'count()': 2 },
      { groups: null, 'count()': 2 },
    ]);
  });

  it('groups by a [*] path, counting an event once per distinct value', () => {
    expect(run('resource=pods verb=create | stats count() by requestObject.spec.containers[*].image').rows).toEqual([
      { 'requestObject.spec.containers[*].image': 'alpine', 'count()': 1 },
      { 'requestObject.spec.containers[*].image': 'busybox', 'count()': 1 },
      { 'requestObject.spec.containers[*].image': 'nginx:1.25', 'count()': 2 },
      { 'requestObject.spec.containers[*].image': null, 'count()': 1 },
    ]);
    expect(run('| stats count() by requestObject.spec.containers[*].securityContext.privileged').rows).toEqual([
      { 'requestObject.spec.containers[*].securityContext.privileged': 'false', 'count()': 1 },
      { 'requestObject.spec.containers[*].securityContext.privileged': 'true', 'count()': 1 },
      { 'requestObject.spec.containers[*].securityContext.privileged': null, 'count()': 18 },
    ]);
  });

  it('groups and aggregates over plain raw paths', () => {
    expect(run('objectRef.resource=deployments | stats max(requestObject.spec.replicas) as replicas by objectRef.namespace').rows).toEqual([
      { 'objectRef.namespace': 'dev', replicas: null },
      { 'objectRef.namespace': 'prod', replicas: 3 },
    ]);
  });

  it('returns events newest first by default, cut by head', () => {
    expect(ids('| head 3')).toEqual(['a20', 'a19', 'a18']);
    expect(ids('user=alice | head')).toEqual(['a17', 'a13', 'a04', 'a03']);
  });

  it('sorts events stably: equal keys keep newest first; absent values sort last', () => {
    expect(ids('verb=create | sort user')).toEqual(['a01', 'a16', 'a05', 'a11', 'a06']);
    expect(ids('verb=create | sort -user')).toEqual(['a06', 'a11', 'a16', 'a05', 'a01']);
    expect(ids('user=system:anonymous or verb=patch | sort ns')).toEqual(['a20', 'a19', 'a08', 'a07']);
    expect(ids('user=system:anonymous or verb=patch | sort -ns')).toEqual(['a20', 'a19', 'a08', 'a07']);
    expect(ids('verb=create | sort +code, -@timestamp')).toEqual(['a05', 'a16', 'a11', 'a06', 'a01']);
    expect(ids('verb=create | sort -code | sort user')).toEqual(['a01', 'a16', 'a05', 'a11', 'a06']);
  });

  it('picks columns with fields, named as typed, raw paths included', () => {
    const { compiled, rows } = run('verb=create | fields @timestamp, user, code, objectRef.subresource, requestObject.spec.containers[*].image | head 3');
    expect(compiled).toMatchObject({ shape: 'events', columns: ['@timestamp', 'user', 'code', 'objectRef.subresource', 'requestObject.spec.containers[*].image'] });
    expect(rows).toEqual([
      { '@timestamp': minute(16), user: 'bob', code: 201, 'objectRef.subresource': null, 'requestObject.spec.containers[*].image': '[]' },
      { '@timestamp': minute(11), user: 'carol', code: 201, 'objectRef.subresource': null, 'requestObject.spec.containers[*].image': '["nginx:1.25","nginx:1.25"]' },
      { '@timestamp': minute(6), user: 'system:serviceaccount:kube-system:job-controller', code: 201, 'objectRef.subresource': null, 'requestObject.spec.containers[*].image': '["busybox","alpine"]' },
    ]);
    expect(run('auditid=a01 | fields groups, requestObject.spec.containers[*].securityContext.privileged, requestObject.spec.containers[0].securityContext.privileged').rows).toEqual([
      {
        groups: '["system:masters","system:authenticated"]',
        'requestObject.spec.containers[*].securityContext.privileged': '[true]',
        'requestObject.spec.containers[0].securityContext.privileged': 'true',
      },
    ]);
  });

  it('sorts by fields output under the ECS name or an alias', () => {
    expect(run('verb=delete | fields user.name, name | sort user, -name').rows).toEqual([
      { 'user.name': 'admin', name: 'web' },
      { 'user.name': 'admin', name: 'old' },
      { 'user.name': 'alice', name: 'api' },
    ]);
  });

  it('runs a stage over the result of an earlier head or stats as a subquery', () => {
    expect(ids('| head 5 | sort user')).toEqual(['a18', 'a17', 'a16', 'a20', 'a19']);
    expect(run('| head 4 | stats count() by verb').rows).toEqual([
      { verb: 'delete', 'count()': 1 },
      { verb: 'get', 'count()': 1 },
      { verb: 'patch', 'count()': 1 },
      { verb: 'watch', 'count()': 1 },
    ]);
    expect(run('| stats count() by verb | stats count() as verbs, max(count()) as busiest').rows).toEqual([{ verbs: 7, busiest: 6 }]);
    expect(run('| stats count() by verb | sort -count() | head 2 | sort verb').rows).toEqual([
      { verb: 'create', 'count()': 5 },
      { verb: 'get', 'count()': 6 },
    ]);
    expect(run('| stats count() as n by verb | sort -n | head 3 | fields verb').rows).toEqual([{ verb: 'get' }, { verb: 'create' }, { verb: 'delete' }]);
  });

  it('applies defaultLimit only when no head sets a limit', () => {
    expect(ids('', { defaultLimit: 2 })).toEqual(['a20', 'a19']);
    expect(ids('| head 3', { defaultLimit: 2 })).toEqual(['a20', 'a19', 'a18']);
    expect(run('| stats count() by verb', { defaultLimit: 1 }).rows).toEqual([{ verb: 'create', 'count()': 5 }]);
  });

  it('gives the same rows over a UNION ALL of partitions as over one table', () => {
    const partitions = { from: '(SELECT * FROM events WHERE seq <= 10 UNION ALL SELECT * FROM events WHERE seq > 10)' };
    for (const query of ['user=admin*', 'forbidden', 'requestObject.spec.containers[*].image=nginx* | sort user', '| stats count() by groups']) {
      expect(run(query, partitions).rows).toEqual(run(query).rows);
    }
  });
});

describe('compileQuery: index-friendly SQL', () => {
  const plan = (query: string, overrides: Partial<QueryTarget> = {}): string => {
    const compiled = compileQuery(query, target(overrides));
    const rows = db.prepare(`EXPLAIN QUERY PLAN ${compiled.sql}`).all(...compiled.params) as { detail: string }[];
    return rows.map((row) => row.detail).join('\n');
  };

  it('searches the user index for equality and for a prefix wildcard', () => {
    expect(plan('user=alice')).toContain('SEARCH e USING INDEX events_user_name_ts (user_name=?)');
    expect(plan('user=system:serviceaccount:*')).toContain('SEARCH e USING INDEX events_user_name_ts (user_name>? AND user_name<?)');
    expect(plan('user=(alice, bob)')).toContain('SEARCH e USING INDEX events_user_name_ts (user_name=?)');
  });

  it('searches the time index for a time range and the FTS index for free text', () => {
    expect(plan('verb=get', { range: { since: minute(1), until: minute(3) } })).toContain('SEARCH e USING INDEX events_ts (ts>? AND ts<?)');
    expect(plan('forbidden')).toContain('VIRTUAL TABLE INDEX');
  });
});

describe('compileQuery: errors', () => {
  it.each([
    ['event.actoin=create', 1, 'unknown field "event.actoin"; fields under event.: event.id, event.kind, event.category, event.action, event.outcome'],
    ['code=abc', 6, 'code holds numbers; "abc" is not a number'],
    ['code=4*', 6, 'wildcards match text, but code is a number; e.g. code>=400 code<500'],
    ['@timestamp>yesterday', 12, '@timestamp needs an RFC 3339 time (2026-01-02T15:04:05Z), a date (2026-01-02) or epoch milliseconds; got "yesterday"'],
    ['@timestamp=~"^2026"', 13, '@timestamp is a time; compare it with >, >=, <, <= and an RFC 3339 time instead of a regular expression'],
    ['user=~"(unclosed"', 7, 'invalid regular expression "(unclosed": Invalid regular expression: /(unclosed/: Unterminated group'],
    ['a[x]=1', 1, 'invalid path "a[x]": bracket "[x]" must hold a number or *'],
    ['| stats sum(user)', 13, 'sum needs numbers, but user is text; try dc(user) or stats count() by user'],
    ['| stats dc(groups)', 12, 'dc(groups): the field holds several values per event; group by it instead, e.g. stats count() by groups'],
    ['| stats count(), count()', 18, 'duplicate column "count()"; rename one with "as", e.g. count() as events'],
    ['| sort -count()', 8, '"count()" is not a field; columns like count() exist only after a stats stage'],
    ['| sort requestObject.spec.containers[*].image', 8, 'cannot sort by requestObject.spec.containers[*].image: it holds several values per event'],
    ['| fields user | sort verb', 22, '"verb" is not a column at this point of the pipeline; columns: user'],
    ['| stats count() by verb | fields user', 34, '"user" is not a column at this point of the pipeline; columns: verb, count()'],
  ])('%s', (query, column, detail) => {
    const error = compileError(query);
    expect(error.message).toBe(`query error at column ${column}: ${detail}`);
  });
});
