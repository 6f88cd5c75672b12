import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningClickHouse, startClickHouse } from '../../../test/helpers/clickhouse.js';
import { normalizeAuditEvent } from '../../model/k8s-audit.js';
import { SqliteStore } from '../sqlite/sqlite-store.js';
import { ClickHouseStore } from './clickhouse-store.js';

/**
 * Every query feature must give the same rows on ClickHouse as on the embedded SQLite store:
 * both are loaded with the same events and asked the same queries.
 */

const T0 = Date.UTC(2026, 0, 10, 23, 50);
const minute = (n: number): number => T0 + n * 60_000;

interface Spec {
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

const MASTERS = ['system:masters', 'system:authenticated'];
const DEVS = ['devs', 'system:authenticated'];

const SPECS: Spec[] = [
  {
    verb: 'create', user: 'admin', groups: MASTERS, resource: 'pods', namespace: 'default', name: 'web', code: 201,
    extra: { requestObject: { kind: 'Pod', metadata: { labels: { 'team-name': 'payments', 'owner/team': 'sre', 'app.kubernetes.io/name': 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.25', securityContext: { privileged: true } }] } } },
  },
  { verb: 'get', user: 'admin', groups: MASTERS, resource: 'secrets', namespace: 'prod', name: 'db-pass', code: 200 },
  { verb: 'list', user: 'alice', groups: DEVS, resource: 'pods', namespace: 'dev', code: 200 },
  { verb: 'delete', user: 'alice', groups: DEVS, resource: 'deployments', namespace: 'dev', name: 'api', code: 403, message: 'deployments.apps "api" is forbidden: User "alice" cannot delete resource "deployments" in API group "apps"' },
  { verb: 'create', user: 'bob', groups: DEVS, resource: 'pods', subresource: 'exec', namespace: 'prod', name: 'web', code: 101 },
  {
    verb: 'create', user: 'system:serviceaccount:kube-system:job-controller', groups: ['system:serviceaccounts'], resource: 'pods', namespace: 'batch', name: 'job-1', code: 201,
    extra: { requestObject: { kind: 'Pod', spec: { containers: [{ image: 'busybox' }, { image: 'alpine', securityContext: { privileged: false } }] } } },
  },
  { verb: 'patch', user: 'system:node:node-1', groups: ['system:nodes'], resource: 'nodes', name: 'node-1', code: 200, cluster: 'lab' },
  { verb: 'get', user: 'system:anonymous', code: 401, message: 'Unauthorized' },
  { verb: 'delete', user: 'admin', groups: MASTERS, resource: 'namespaces', name: 'old', code: 200 },
  { verb: 'update', user: 'bob', groups: DEVS, resource: 'configmaps', namespace: 'prod', name: 'settings', code: 409, message: 'Operation cannot be fulfilled on configmaps "settings": the object has been modified' },
  {
    verb: 'create', user: 'carol', groups: DEVS, resource: 'pods', namespace: 'dev', name: 'twin', code: 201,
    extra: { requestObject: { kind: 'Pod', spec: { containers: [{ image: 'nginx:1.25' }, { image: 'nginx:1.25' }] } } },
  },
  { verb: 'get', user: 'admin-backup', groups: MASTERS, resource: 'secrets', namespace: 'prod', name: 'db-pass', code: 200 },
  { verb: 'get', user: 'alice', groups: DEVS, resource: 'pods', namespace: 'dev', name: 'web', code: 200, extra: { impersonatedUser: { username: 'system:admin' } } },
  { verb: 'get', user: "o'brien", groups: DEVS, resource: 'configmaps', namespace: 'dev', name: 'cfg[1]?', code: 200 },
  { verb: 'list', user: 'system:serviceaccount:monitoring:prometheus', groups: ['system:serviceaccounts'], resource: 'pods', code: 200, cluster: 'lab' },
  {
    verb: 'create', user: 'bob', groups: DEVS, resource: 'deployments', namespace: 'prod', name: 'api', code: 201, message: 'quota 100% used: axb',
    extra: { requestObject: { kind: 'Deployment', spec: { replicas: 3, paused: false, note: null } } },
  },
  { verb: 'watch', user: 'alice', groups: DEVS, resource: 'configmaps', namespace: 'dev', name: 'we"ird\\path', code: 200 },
  { verb: 'delete', user: 'admin', groups: MASTERS, resource: 'pods', namespace: 'default', name: 'web', code: 200 },
  { verb: 'get', user: 'system:anonymous', code: 403, message: 'forbidden: User "system:anonymous" cannot get path "/"' },
  { verb: 'patch', user: 'carol', groups: DEVS, resource: 'secrets', namespace: 'prod', name: 'nope', code: 404, message: 'secrets "nope" not found' },
  { verb: 'get', user: 'ünïcødé', groups: DEVS, resource: 'pods', namespace: 'dev', name: 'x\ny', code: 200, message: 'Ärger mit café' },
];

function events() {
  return SPECS.map((spec, i) => {
    const objectRef = spec.resource === undefined ? undefined : { resource: spec.resource, subresource: spec.subresource, namespace: spec.namespace, name: spec.name, apiVersion: 'v1' };
    const raw = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'RequestResponse',
      auditID: `a${String(i + 1).padStart(2, '0')}`,
      stage: 'ResponseComplete',
      requestURI: `/api/v1/${spec.resource ?? 'healthz'}`,
      verb: spec.verb,
      user: { username: spec.user, ...(spec.groups ? { groups: spec.groups } : {}) },
      sourceIPs: ['10.0.0.1'],
      userAgent: 'kubectl/v1.30.0',
      objectRef,
      responseStatus: { metadata: {}, code: spec.code, ...(spec.message ? { message: spec.message } : {}) },
      // Events cross midnight, so the stores' day partitions take part.
      requestReceivedTimestamp: new Date(minute(i + 1)).toISOString(),
      ...spec.extra,
    };
    return normalizeAuditEvent(raw, JSON.stringify(raw), spec.cluster ?? 'prod-cluster');
  });
}

const QUERIES = [
  '',
  'user.name="admin" event.action=create',
  'user=admin',
  'ns!=dev',
  'not ns=dev',
  'code>=400',
  'code>400 code<404',
  'code<=101',
  'status=409',
  'verb=(delete, update)',
  'verb!=(get, list, watch, create)',
  'user=(carol, system:node:*)',
  'user=admin*',
  'user=*controller*',
  'user=*:prometheus',
  'user="admin*"',
  'name=cfg[1]?*',
  'name=*[1]*',
  'name=cfg?1*',
  'user="o\'brien"',
  "user=o'brien",
  'name="we\\"ird\\\\path"',
  'name=*ird\\\\*',
  'ns exists',
  'not ns exists',
  'ns!=*',
  'msg exists',
  'user=~"^system:serviceaccount:"',
  'user=~anon',
  'user=~"(?i)^ALICE$"',
  'user!~"^(system|admin)"',
  'code=~"^40[34]$"',
  'user=~"^ü"',
  'groups=system:masters',
  'user.group.name=system:node*',
  'groups=~"accounts$"',
  'groups!=system:authenticated',
  'not groups exists',
  '(user=alice or user=bob) code>=400',
  'user=alice or user=bob code>=400',
  'not (verb=get or verb=list or verb=watch) ns=dev',
  'cluster=lab',
  '@timestamp>=2026-01-11T00:05:00Z',
  `@timestamp<${minute(2)}`,
  'objectRef.subresource=exec',
  'impersonatedUser.username exists',
  'requestObject.kind=Deployment',
  'requestObject.spec.containers[*].securityContext.privileged=true',
  'requestObject.spec.containers[*].securityContext.privileged=false',
  'requestObject.spec.containers[*].image=nginx*',
  'requestObject.spec.containers[*].image exists',
  'requestObject.spec.containers[*].image!=busybox',
  'requestObject.spec.containers[0].image=busybox',
  'requestObject.spec.containers[1].image=busybox',
  'user.groups=system:masters',
  'sourceIPs=10.0.0.1',
  'requestObject.spec.replicas>2',
  'requestObject.spec.replicas>3',
  'requestObject.spec.replicas=3.0',
  'requestObject.spec.replicas="3"',
  'requestObject.spec.note exists',
  'requestObject.spec.paused=false',
  'responseStatus.code>=404 responseStatus.code<409',
  'objectRef exists',
  'responseStatus.metadata exists',
  'objectRef=pods',
  'requestObject.metadata.labels.team-name=payments',
  'requestObject.metadata.labels.owner/team=sre',
  'requestURI=~"/(secrets|nodes)$"',
  'objectRef.namespace!=dev objectRef.resource=pods',
  'not objectRef.namespace=dev objectRef.resource=pods',
  'objectRef.name=~"^x.y$"',
  'forbidden',
  'FORBIDDEN alice',
  '"object has been modified"',
  '"modified has been"',
  'unauthor*',
  'forbidden or "not found"',
  '"alice OR bob"',
  '"message:forbidden"',
  '"\\"api\\" is forbidden"',
  '"-" "*" "^"',
  '"100%"',
  '"a_b"',
  'ärger',
  '*',
  '* code=409',
  'not *',
  '| stats count() by verb',
  '| stats count() as n by user.name | sort -n, user.name | head 3',
  'verb=get | stats count() by ns, user | sort -count(), -user',
  'code>=400 | stats count(), dc(user), min(code), max(code), avg(code), sum(code), count(ns)',
  '| stats count() by groups',
  'resource=pods verb=create | stats count() by requestObject.spec.containers[*].image',
  '| stats count() by requestObject.spec.containers[*].securityContext.privileged',
  'objectRef.resource=deployments | stats max(requestObject.spec.replicas) as replicas by objectRef.namespace',
  '| stats count() by cluster, ns',
  '| head 3',
  'user=alice | head',
  'verb=create | sort user',
  'verb=create | sort -user',
  'user=system:anonymous or verb=patch | sort ns',
  'user=system:anonymous or verb=patch | sort -ns',
  'verb=create | sort +code, -@timestamp',
  'verb=create | sort -code | sort user',
  'verb=create | fields @timestamp, user, code, objectRef.subresource, requestObject.spec.containers[*].image | head 3',
  'auditid=a01 | fields groups, requestObject.spec.containers[*].securityContext.privileged, requestObject.spec.containers[0].securityContext.privileged',
  'verb=delete | fields user.name, name | sort user, -name',
  'name=*ird* | fields name, requestObject.spec.containers[*].image',
  '| head 5 | sort user',
  '| head 4 | stats count() by verb',
  '| stats count() by verb | stats count() as verbs, max(count()) as busiest',
  '| stats count() by verb | sort -count() | head 2 | sort verb',
  '| stats count() as n by verb | sort -n | head 3 | fields verb',
  'user=nobody | stats count(), max(code)',
];

let server: RunningClickHouse;
let clickhouse: ClickHouseStore;
let sqlite: SqliteStore;

beforeAll(async () => {
  server = await startClickHouse();
  clickhouse = await ClickHouseStore.open(server.urlFor('parity'));
  sqlite = SqliteStore.open(mkdtempSync(join(tmpdir(), 'vigil-sqlite-')));
  const batch = events();
  await sqlite.append(batch);
  await clickhouse.append(batch);
});

afterAll(async () => {
  await clickhouse?.close();
  await sqlite?.close();
  await server?.stop();
});

describe('ClickHouse and SQLite give the same rows', () => {
  it.each(QUERIES)('%s', async (query) => {
    const expected = await sqlite.query(query, {});
    expect(await clickhouse.query(query, {})).toEqual(expected);
  });

  it.each([
    [{ since: minute(5), until: minute(12) }],
    [{ since: minute(11) }],
    [{ until: minute(3) }],
    [{ since: minute(100) }],
  ])('over the time range %j', async (range) => {
    for (const query of ['*', 'user=admin | stats count() by verb']) {
      expect(await clickhouse.query(query, range)).toEqual(await sqlite.query(query, range));
    }
  });

  it('with a default limit', async () => {
    expect(await clickhouse.query('*', {}, 2)).toEqual(await sqlite.query('*', {}, 2));
    expect(await clickhouse.query('| stats count() by verb', {}, 1)).toEqual(await sqlite.query('| stats count() by verb', {}, 1));
  });
});
