import { describe, expect, it } from 'vitest';
import { normalizeAuditEvent } from '../model/k8s-audit.js';
import { Detector } from './detector.js';
import { compileRuleFiles } from './loader.js';

const RULES = compileRuleFiles([
  {
    path: 'r.yaml',
    text: 'id: burst\ntitle: Burst\ndescription: d\nseverity: high\nmatch: {verb: delete}\nthreshold: {count: 3, within: 10m}\ngroup_by: [user.name]\n',
  },
]);
const T0 = Date.parse('2026-03-02T10:00:00Z');
let n = 0;

function deleteBy(user: string, seconds: number) {
  const raw = { kind: 'Event', auditID: `a${n++}`, stage: 'ResponseComplete', verb: 'delete', user: { username: user }, requestReceivedTimestamp: new Date(T0 + seconds * 1000).toISOString() };
  return normalizeAuditEvent(raw, JSON.stringify(raw), 'prod');
}

describe('Detector', () => {
  it('reports opened and grown alerts per event and closes quiet ones as time moves on', () => {
    const detector = new Detector(RULES, { windowMs: 600_000, expireEveryMs: 1000 });
    expect(detector.process(deleteBy('bob', 0))).toEqual([]);
    detector.process(deleteBy('bob', 1));
    const [opened] = detector.process(deleteBy('bob', 2));
    expect(opened).toMatchObject({ opened: true, alert: { count: 3 } });
    expect(detector.process(deleteBy('bob', 3))[0]).toMatchObject({ opened: false, alert: { count: 4 } });
    detector.process(deleteBy('carol', 3000));
    expect(detector.takeClosed().map((alert) => alert.count)).toEqual([4]);
    expect(detector.takeClosed()).toEqual([]);
  });

  it('closes what is quiet on tick and returns the rest when the input ends', () => {
    const detector = new Detector(RULES, { windowMs: 600_000 });
    for (let i = 0; i < 3; i++) detector.process(deleteBy('bob', i));
    detector.tick(T0 + 3_600_000);
    expect(detector.takeClosed()).toHaveLength(1);
    for (let i = 0; i < 3; i++) detector.process(deleteBy('carol', 4000 + i));
    expect(detector.finish().map((alert) => alert.entity.user)).toEqual(['carol']);
  });

  it('carries windows and open alerts across a restart', () => {
    const before = new Detector(RULES);
    for (let i = 0; i < 4; i++) before.process(deleteBy('bob', i));
    before.process(deleteBy('carol', 10));
    const saved = JSON.parse(JSON.stringify(before.snapshot()));
    const after = new Detector(RULES);
    expect(after.restore(saved)).toEqual({ restored: ['burst'], skipped: [], droppedAlerts: [] });
    after.process(deleteBy('bob', 20));
    after.process(deleteBy('carol', 21));
    after.process(deleteBy('carol', 22));
    const alerts = after.finish();
    expect(alerts.map((alert) => [alert.entity.user, alert.count])).toEqual([['bob', 5], ['carol', 3]]);
  });
});
