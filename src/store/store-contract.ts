import { describe, expect, it } from 'vitest';
import { normalizeAuditEvent } from '../model/k8s-audit.js';
import type { VigilEvent } from '../model/event.js';
import type { Store } from './store.js';

/**
 * The behaviour every Store adapter must have, run by each adapter's own test file with a
 * factory for a fresh, empty store. Events are real audit Event shapes normalized as ingest does.
 */
export function storeContract(adapter: string, openEmpty: () => Promise<Store>): void {
  describe(`${adapter} store contract`, () => {
    describe('append', () => {
      it('accepts new events, skips retries and grows the ledger by what it accepted', async () => {
        const store = await openEmpty();
        const first = await store.append([auditEvent({ auditID: 'a' }), auditEvent({ auditID: 'b' })]);
        expect(first).toMatchObject({ accepted: 2, duplicates: 0, treeSize: 2 });
        const retry = await store.append([auditEvent({ auditID: 'b' }), auditEvent({ auditID: 'c' })]);
        expect(retry).toMatchObject({ accepted: 1, duplicates: 1, treeSize: 3 });
        expect(retry.acceptedEvents.map((e) => e.auditId)).toEqual(['c']);
        await store.close();
      });

      it('keeps a different record that reuses an audit ID and stage, under its own id', async () => {
        const store = await openEmpty();
        const original = auditEvent({ auditID: 'same', user: 'alice' });
        const impostor = auditEvent({ auditID: 'same', user: 'mallory' });
        await store.append([original]);
        const result = await store.append([impostor]);
        expect(result.accepted).toBe(1);
        expect(result.acceptedEvents[0].id).not.toBe(original.id);
        const rows = (await store.query('auditid=same | stats count() by user.name', {})).rows;
        expect(rows).toEqual([
          { 'user.name': 'alice', 'count()': 1 },
          { 'user.name': 'mallory', 'count()': 1 },
        ]);
        await store.close();
      });

      it('counts a repeat inside one batch as a duplicate and keeps a different record under the same key', async () => {
        const store = await openEmpty();
        const result = await store.append([
          auditEvent({ auditID: 'r' }),
          auditEvent({ auditID: 'r' }),
          auditEvent({ auditID: 'r', user: 'mallory' }),
          auditEvent({ auditID: 'r', user: 'mallory' }),
        ]);
        expect(result).toMatchObject({ accepted: 2, duplicates: 2, treeSize: 2 });
        expect(new Set(result.acceptedEvents.map((e) => e.id)).size).toBe(2);
        expect((await store.query('auditid=r | stats count() by user', {})).rows).toEqual([
          { user: 'alice', 'count()': 1 },
          { user: 'mallory', 'count()': 1 },
        ]);
        await store.close();
      });

      it('changes nothing for an empty batch', async () => {
        const store = await openEmpty();
        await store.append([auditEvent({ auditID: 'a' })]);
        expect(await store.append([])).toMatchObject({ accepted: 0, duplicates: 0, treeSize: 1, acceptedEvents: [] });
        await store.close();
      });

      it('treats the same event in another cluster as a different event', async () => {
        const store = await openEmpty();
        const result = await store.append([auditEvent({ auditID: 'x' }, 'prod'), auditEvent({ auditID: 'x' }, 'staging')]);
        expect(result.accepted).toBe(2);
        await store.close();
      });
    });

    describe('quarantine', () => {
      it('keeps bad records with position and reason, oldest first', async () => {
        const store = await openEmpty();
        await store.quarantine([
          { source: 'k8s.audit', position: 'a.log:3', reason: 'malformed JSON', sample: '{"x', receivedAt: 1 },
          { source: 'k8s.audit', position: 'a.log:9', reason: 'invalid UTF-8', sample: '?', receivedAt: 2 },
        ]);
        const items = await store.listQuarantine(10);
        expect(items.map(({ position, reason }) => ({ position, reason }))).toEqual([
          { position: 'a.log:3', reason: 'malformed JSON' },
          { position: 'a.log:9', reason: 'invalid UTF-8' },
        ]);
        await store.close();
      });
    });

    describe('quarantine limit', () => {
      it('lists the newest records up to the limit, oldest first', async () => {
        const store = await openEmpty();
        for (const position of ['f:1', 'f:2', 'f:3']) {
          await store.quarantine([{ source: 'k8s.audit', position, reason: 'malformed JSON', sample: '{', receivedAt: 1 }]);
        }
        expect((await store.listQuarantine(2)).map((item) => item.position)).toEqual(['f:2', 'f:3']);
        await store.close();
      });
    });

    describe('query', () => {
      const day = (hours: number) => Date.parse('2026-03-01T00:00:00Z') + hours * 3_600_000;
      const scene = () => [
        auditEvent({ auditID: '1', user: 'alice', verb: 'delete', resource: 'pods', namespace: 'shop', code: 200, at: day(1) }),
        auditEvent({ auditID: '2', user: 'alice', verb: 'delete', resource: 'secrets', namespace: 'shop', code: 403, at: day(2), message: 'secrets "db" is forbidden: User cannot delete' }),
        auditEvent({ auditID: '3', user: 'bob', verb: 'get', resource: 'secrets', namespace: 'kube-system', code: 200, at: day(3), groups: ['system:masters'] }),
        auditEvent({ auditID: '4', user: 'system:serviceaccount:ci:deployer', verb: 'create', resource: 'pods', namespace: 'shop', code: 201, at: day(26), privileged: true }),
        auditEvent({ auditID: '5', user: 'bob', verb: 'list', resource: 'pods', namespace: 'shop', code: 200, at: day(27) }),
      ];
      const ids = async (store: Store, query: string, range = {}) =>
        (await store.query(query, range)).rows.map((row) => JSON.parse(row.record as string).auditID as string).sort();

      it('filters by fields, wildcards, regex, numbers, lists, raw paths, groups and free text', async () => {
        const store = await openEmpty();
        await store.append(scene());
        expect(await ids(store, 'user.name=alice')).toEqual(['1', '2']);
        expect(await ids(store, 'user=alice verb=delete resource!=pods')).toEqual(['2']);
        expect(await ids(store, 'user=system:serviceaccount:*')).toEqual(['4']);
        expect(await ids(store, 'user=~"^b.b$"')).toEqual(['3', '5']);
        expect(await ids(store, 'code>=400')).toEqual(['2']);
        expect(await ids(store, 'verb=(get, list)')).toEqual(['3', '5']);
        expect(await ids(store, 'requestObject.spec.containers[*].securityContext.privileged=true')).toEqual(['4']);
        expect(await ids(store, 'groups=system:masters')).toEqual(['3']);
        expect(await ids(store, 'forbidden')).toEqual(['2']);
        expect(await ids(store, '(user=alice or user=bob) and not ns=shop')).toEqual(['3']);
        await store.close();
      });

      it('aggregates, sorts, limits and picks fields', async () => {
        const store = await openEmpty();
        await store.append(scene());
        const byUser = await store.query('resource=pods | stats count() by user.name | sort -count(), user.name', {});
        expect(byUser.shape).toBe('table');
        expect(byUser.rows).toEqual([
          { 'user.name': 'alice', 'count()': 1 },
          { 'user.name': 'bob', 'count()': 1 },
          { 'user.name': 'system:serviceaccount:ci:deployer', 'count()': 1 },
        ]);
        const newest = await store.query('* | head 2 | fields user.name, verb', {});
        expect(newest.columns).toEqual(['user.name', 'verb']);
        expect(newest.rows).toEqual([
          { 'user.name': 'bob', verb: 'list' },
          { 'user.name': 'system:serviceaccount:ci:deployer', verb: 'create' },
        ]);
        await store.close();
      });

      it('honours the time range across day partitions and the default limit', async () => {
        const store = await openEmpty();
        await store.append(scene());
        expect(await ids(store, '*', { since: day(2), until: day(26) })).toEqual(['2', '3']);
        expect(await ids(store, '*', { since: day(26) })).toEqual(['4', '5']);
        expect(await ids(store, '*', { since: day(100) })).toEqual([]);
        expect((await store.query('*', {}, 3)).rows).toHaveLength(3);
        await store.close();
      });

      it('rejects a query with a mistake, saying where', async () => {
        const store = await openEmpty();
        await expect(store.query('code=abc', {})).rejects.toThrow('query error at column 6: code holds numbers; "abc" is not a number');
        await store.close();
      });

      it('answers an empty store', async () => {
        const store = await openEmpty();
        expect((await store.query('user=alice', {})).rows).toEqual([]);
        expect((await store.query('* | stats count()', {})).rows).toEqual([{ 'count()': 0 }]);
        await store.close();
      });
    });
  });
}

interface Shape {
  auditID: string;
  user?: string;
  verb?: string;
  resource?: string;
  namespace?: string;
  code?: number;
  at?: number;
  message?: string;
  groups?: string[];
  privileged?: boolean;
}

function auditEvent(shape: Shape, cluster = 'test'): VigilEvent {
  const raw: Record<string, unknown> = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Request',
    auditID: shape.auditID,
    stage: 'ResponseComplete',
    verb: shape.verb ?? 'get',
    user: { username: shape.user ?? 'alice', groups: shape.groups ?? ['system:authenticated'] },
    sourceIPs: ['10.0.0.1'],
    objectRef: { resource: shape.resource ?? 'pods', namespace: shape.namespace ?? 'default', name: 'x' },
    responseStatus: { code: shape.code ?? 200, ...(shape.message ? { message: shape.message } : {}) },
    requestReceivedTimestamp: new Date(shape.at ?? Date.parse('2026-03-01T12:00:00Z')).toISOString(),
  };
  if (shape.privileged) raw.requestObject = { spec: { containers: [{ name: 'a' }, { name: 'b', securityContext: { privileged: true } }] } };
  return normalizeAuditEvent(raw, JSON.stringify(raw), cluster);
}
