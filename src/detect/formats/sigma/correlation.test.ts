import { describe, expect, it } from 'vitest';
import { auditEvent } from '../../../../test/detect-formats/audit-event.js';
import { Detector } from '../../detector.js';
import { inspectRuleFiles } from '../../loader.js';

const BASE = `title: Deployment deleted
id: base-delete
name: deployment_deleted
logsource: {product: kubernetes, service: audit}
detection:
  selection: {verb: delete, objectRef.resource: deployments}
  condition: selection
---
title: Secret read
name: secret_read
logsource: {product: kubernetes, service: audit}
detection:
  selection: {verb: get, objectRef.resource: secrets}
  condition: selection
`;

function deletion(i: number, user = 'alice@example.com', name = `app-${i}`) {
  return auditEvent({ auditID: `d-${i}-${user}`, verb: 'delete', user: { username: user }, objectRef: { resource: 'deployments', namespace: 'shop', name, apiGroup: 'apps' }, requestReceivedTimestamp: new Date(Date.parse('2026-03-02T10:00:00Z') + i * 10_000).toISOString() });
}

function run(correlation: string, events: ReturnType<typeof auditEvent>[]) {
  const report = inspectRuleFiles([{ path: 'rules.yml', text: `${BASE}---\n${correlation}` }]);
  if (report.problems.length > 0) throw new Error(report.problems.join('\n'));
  const detector = new Detector(report.rules);
  for (const event of events) detector.process(event);
  return { report, alerts: detector.finish() };
}

describe('Sigma correlation rules', () => {
  const eventCount = 'title: Mass deletion\nid: mass-delete\nlevel: high\ncorrelation:\n  type: event_count\n  rules: [deployment_deleted]\n  group-by: [user.username]\n  timespan: 5m\n  condition: {gte: 3}\n';

  it('event_count becomes a threshold per group-by, and the base rule stops alerting alone', () => {
    const { report, alerts } = run(eventCount, [deletion(1), deletion(2), deletion(3), deletion(4, 'bob@example.com')]);
    expect(report.rules.find((rule) => rule.meta.id === 'mass-delete')).toMatchObject({ operator: { kind: 'threshold', count: 3, withinMs: 300_000 } });
    expect(report.rules.find((rule) => rule.meta.id === 'base-delete')?.enabled).toBe(false);
    expect(alerts.map((alert) => [alert.rule.id, alert.count, alert.entity.user])).toEqual([['mass-delete', 3, 'alice@example.com']]);
  });

  it('value_count counts distinct values of a field', () => {
    const valueCount = 'title: Many apps deleted\nid: many-apps\ngenerate: true\ncorrelation:\n  type: value_count\n  rules: [deployment_deleted]\n  group-by: [user.username]\n  timespan: 1h\n  condition: {field: objectRef.name, gt: 1}\n';
    const { alerts } = run(valueCount, [deletion(1, 'alice@example.com', 'same'), deletion(2, 'alice@example.com', 'same'), deletion(3, 'alice@example.com', 'other')]);
    expect(alerts.filter((alert) => alert.rule.id === 'many-apps').map((alert) => alert.count)).toEqual([2]);
    expect(alerts.filter((alert) => alert.rule.id === 'base-delete').length).toBeGreaterThan(0);
  });

  it('temporal fires on all rules within the timespan in any order; temporal_ordered only in order', () => {
    const secretRead = auditEvent({ auditID: 'r-1', verb: 'get', objectRef: { resource: 'secrets', namespace: 'shop', name: 'db' }, requestReceivedTimestamp: '2026-03-02T10:00:05Z' });
    const temporal = (type: string) => `title: Read then delete\nid: ${type}\ncorrelation:\n  type: ${type}\n  rules: [deployment_deleted, secret_read]\n  group-by: [user.username]\n  timespan: 1m\n`;
    expect(run(temporal('temporal'), [secretRead, deletion(1)]).alerts.map((alert) => alert.rule.id)).toEqual(['temporal']);
    expect(run(temporal('temporal_ordered'), [secretRead, deletion(1)]).alerts).toEqual([]);
    expect(run(temporal('temporal_ordered'), [deletion(0), secretRead]).alerts.map((alert) => alert.rule.id)).toEqual(['temporal_ordered']);
  });

  it('load what Vigil cannot express as never firing, and say why', () => {
    const unsupported = eventCount.replace('{gte: 3}', '{lt: 3}');
    const { report } = run(unsupported, []);
    expect(report.notes).toEqual([expect.objectContaining({ kind: 'cannot-match', rule: 'mass-delete', message: expect.stringContaining('condition {"lt":3} is not supported') })]);
    expect(report.rules.find((rule) => rule.meta.id === 'base-delete')?.enabled).toBe(true);
  });
});
