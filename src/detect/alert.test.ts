import { describe, expect, it } from 'vitest';
import { AlertGrouper, alertToJson, severityRank } from './alert.js';
import type { Detection } from './engine.js';
import { compileRuleFiles } from './loader.js';

const [RULE] = compileRuleFiles([
  {
    path: 'a.yaml',
    text: 'id: mass-delete\ntitle: Mass deletion\ndescription: d\nseverity: high\ntechniques: [T1485]\nsummary: "{user.name} deleted {count} objects in {duration}"\n',
  },
]);
const T0 = Date.parse('2026-03-02T10:00:00Z');

function detection(seconds: number, user = 'bob', ids = [`e-${seconds}`]): Detection {
  return {
    rule: RULE,
    groupKey: `prod\u001f${user}`,
    firstSeen: T0 + seconds * 1000,
    time: T0 + seconds * 1000,
    eventIds: ids,
    count: ids.length,
    entity: { user, cluster: 'prod' },
    summary: `${user} deleted {count} objects in {duration}`,
  };
}

describe('AlertGrouper', () => {
  it('folds detections of one fingerprint within the window into one alert', () => {
    const grouper = new AlertGrouper({ windowMs: 600_000 });
    expect(grouper.add(detection(0, 'bob', ['a', 'b'])).opened).toBe(true);
    expect(grouper.add(detection(300)).opened).toBe(false);
    grouper.add(detection(310, 'carol'));
    const [bob, carol] = grouper.drain();
    expect(bob).toMatchObject({ count: 3, firstSeen: T0, lastSeen: T0 + 300_000, events: ['a', 'b', 'e-300'] });
    expect(carol.entity.user).toBe('carol');
  });

  it('opens a new alert after a quiet window and reports the old one as closed', () => {
    const grouper = new AlertGrouper({ windowMs: 600_000 });
    const first = grouper.add(detection(0)).alert;
    const change = grouper.add(detection(1000));
    expect(change.opened).toBe(true);
    expect(change.closed).toBe(first);
    expect(change.alert.id).not.toBe(first.id);
  });

  it('closes quiet alerts on expire', () => {
    const grouper = new AlertGrouper({ windowMs: 600_000 });
    grouper.add(detection(0));
    grouper.add(detection(500, 'carol'));
    expect(grouper.expire(T0 + 700_000).map((alert) => alert.entity.user)).toEqual(['bob']);
    expect(grouper.openCount).toBe(1);
  });

  it('derives the same id for the same fingerprint and first detection', () => {
    const id = () => new AlertGrouper().add(detection(0)).alert.id;
    expect(id()).toBe(id());
    expect(id()).toMatch(/^[0-9a-f]{20}$/);
  });

  it('keeps a bounded number of event ids but counts every event', () => {
    const grouper = new AlertGrouper({ maxEventIds: 2 });
    for (let i = 0; i < 5; i++) grouper.add(detection(i));
    expect(grouper.drain()[0]).toMatchObject({ count: 5, events: ['e-0', 'e-1'] });
  });

  it('closes the least recently updated alert when too many are open', () => {
    const grouper = new AlertGrouper({ maxOpen: 2 });
    grouper.add(detection(0, 'a'));
    grouper.add(detection(1, 'b'));
    grouper.add(detection(2, 'a'));
    expect(grouper.add(detection(3, 'c')).closed?.entity.user).toBe('b');
    expect(grouper.evictions).toBe(1);
  });

  it('restores open alerts from a snapshot, dropping those of unknown rules', () => {
    const grouper = new AlertGrouper();
    grouper.add(detection(0));
    const saved = JSON.parse(JSON.stringify(grouper.snapshot()));
    const restored = new AlertGrouper();
    expect(restored.restore(saved, new Map([[RULE.meta.id, RULE.meta]]))).toEqual([]);
    restored.add(detection(60));
    expect(restored.drain()[0].count).toBe(2);
    expect(new AlertGrouper().restore(saved, new Map())).toHaveLength(1);
  });
});

describe('alertToJson', () => {
  it('prints exactly the DESIGN.md alert object with the summary filled in', () => {
    const grouper = new AlertGrouper();
    grouper.add(detection(0, 'bob', ['a', 'b']));
    grouper.add(detection(90));
    const json = alertToJson(grouper.drain()[0]);
    expect(Object.keys(json)).toEqual(['id', 'rule', 'techniques', 'entity', 'count', 'firstSeen', 'lastSeen', 'summary', 'events']);
    expect(json).toMatchObject({
      rule: { id: 'mass-delete', title: 'Mass deletion', severity: 'high', format: 'vigil' },
      techniques: ['T1485'],
      entity: { user: 'bob', cluster: 'prod' },
      count: 3,
      firstSeen: '2026-03-02T10:00:00.000Z',
      lastSeen: '2026-03-02T10:01:30.000Z',
      summary: 'bob deleted 3 objects in 1m30s',
      events: ['a', 'b', 'e-90'],
    });
  });
});

describe('severityRank', () => {
  it('orders severities', () => {
    expect(severityRank('critical')).toBeGreaterThan(severityRank('high'));
    expect(severityRank('info')).toBeLessThan(severityRank('low'));
  });
});
