import { describe, expect, it } from 'vitest';
import { normalizeAuditEvent } from '../model/k8s-audit.js';
import { fillAlertPlaceholders, SummaryTemplate, textOfValue } from './template.js';

const raw = {
  kind: 'Event',
  auditID: 'a',
  stage: 'ResponseComplete',
  verb: 'delete',
  user: { username: 'bob', groups: ['dev', 'ops'] },
  objectRef: { resource: 'secrets', namespace: 'shop', name: 'db' },
  requestReceivedTimestamp: '2026-03-02T10:00:00Z',
};
const event = normalizeAuditEvent(raw, JSON.stringify(raw), 'prod');

describe('SummaryTemplate', () => {
  it('fills fields from the event and leaves alert totals for later', () => {
    const template = new SummaryTemplate('{user.name} ({groups}) deleted {resource} {ns}/{objectRef.name}, {count} in {duration}; {nothing.here}');
    const text = template.render(event);
    expect(text).toBe('bob (dev,ops) deleted secrets shop/db, {count} in {duration}; ?');
    expect(fillAlertPlaceholders(text, 3, '2m')).toBe('bob (dev,ops) deleted secrets shop/db, 3 in 2m; ?');
  });

  it('renders from group values when there is no event', () => {
    expect(new SummaryTemplate('no logs from {host.name} in {cluster}').render((name) => ({ 'host.name': 'w1', cluster: 'prod' })[name])).toBe('no logs from w1 in prod');
  });

  it('refuses unknown normalized fields', () => {
    expect(() => new SummaryTemplate('{vigil.nope}')).toThrow(/unknown field "vigil.nope"/);
  });
});

describe('textOfValue', () => {
  it('prints scalars, joins arrays and serializes objects', () => {
    expect(textOfValue(403)).toBe('403');
    expect(textOfValue([['a'], null, 'b'])).toBe('a,b');
    expect(textOfValue({ a: 1 })).toBe('{"a":1}');
    expect(textOfValue([])).toBeUndefined();
  });
});
