import { describe, expect, it } from 'vitest';
import { findSource, recogniseSource } from '../sources/registry.js';
import { ADMIN_CLUSTER, NotAnAdminRecord, adminEvent, normalizeAdminRecord } from './admin-record.js';
import { deriveStoredEvent } from './record-decoders.js';

const action = { action: 'ingest.run', outcome: 'success' as const, summary: 'ingest of a.log: accepted 3', details: { accepted: 3 } };

describe('admin records', () => {
  it('normalizes into an event that re-derives to the same columns from its record', () => {
    const event = adminEvent(action, Date.UTC(2026, 2, 1, 8));
    expect(event).toMatchObject({ source: 'vigil.admin', cluster: ADMIN_CLUSTER, action: 'ingest.run', outcome: 'success', message: 'ingest of a.log: accepted 3', timestamp: Date.UTC(2026, 2, 1, 8) });
    const again = deriveStoredEvent(event.source, event.cluster, event.record);
    expect({ ...again, raw: undefined }).toEqual({ ...event, raw: undefined });
  });

  it('gives every action its own id', () => {
    expect(adminEvent(action, 0).id).not.toBe(adminEvent(action, 0).id);
  });

  it('rejects JSON that Vigil did not write as an admin record', () => {
    expect(() => normalizeAdminRecord({ kind: 'Event', auditID: 'x' }, '{}', ADMIN_CLUSTER)).toThrow(NotAnAdminRecord);
    const event = adminEvent(action);
    const withoutTime = { ...JSON.parse(event.record), time: 'yesterday' };
    expect(() => normalizeAdminRecord(withoutTime, JSON.stringify(withoutTime), ADMIN_CLUSTER)).toThrow(/not an RFC 3339 time/);
  });

  it('is decodable by verify but by no input source, so no file or receiver can forge one', () => {
    const event = adminEvent(action);
    expect(recogniseSource(JSON.parse(event.record))).toBeUndefined();
    expect(findSource('vigil.admin')).toBeUndefined();
  });
});
