import { describe, expect, it } from 'vitest';
import type { VigilEvent } from '../model/event.js';
import { normalizeAuditEvent } from '../model/k8s-audit.js';
import { DetectionEngine, type Detection } from './engine.js';
import { compileRuleFiles } from './loader.js';

const T0 = Date.parse('2026-03-02T10:00:00Z');
let sequenceNumber = 0;

/** A minimal audit event at T0 + seconds. */
function event(seconds: number, fields: { user?: string; verb?: string; resource?: string; name?: string; ip?: string; ua?: string; code?: number } = {}): VigilEvent {
  const raw = {
    kind: 'Event',
    auditID: `id-${sequenceNumber++}`,
    stage: 'ResponseComplete',
    verb: fields.verb ?? 'delete',
    user: { username: fields.user ?? 'alice@example.com' },
    sourceIPs: [fields.ip ?? '10.0.0.1'],
    userAgent: fields.ua ?? 'kubectl/v1.29.2',
    objectRef: { resource: fields.resource ?? 'configmaps', namespace: 'shop', name: fields.name ?? `cm-${sequenceNumber}` },
    responseStatus: { code: fields.code ?? 200 },
    requestReceivedTimestamp: new Date(T0 + seconds * 1000).toISOString(),
  };
  return normalizeAuditEvent(raw, JSON.stringify(raw), 'test');
}

function rules(yaml: string) {
  return compileRuleFiles([{ path: 'test.yaml', text: yaml }]);
}

function rule(body: string): string {
  return `rules:\n  - id: r\n    title: R\n    description: d\n    severity: high\n    source: k8s.audit\n${body.replace(/^/gm, '    ')}\n`;
}

function run(engine: DetectionEngine, events: VigilEvent[]): Detection[] {
  return events.flatMap((e) => [...engine.process(e)]);
}

describe('stateless match rules', () => {
  it('detect each matching event with its entity and summary', () => {
    const engine = new DetectionEngine(rules(rule('match: {verb: delete}\nsummary: "{user.name} deleted {name}"')));
    const [detection] = run(engine, [event(0, { name: 'a' }), event(1, { verb: 'get' })]);
    expect(detection).toMatchObject({ count: 1, entity: { user: 'alice@example.com', namespace: 'shop', sourceIP: '10.0.0.1', cluster: 'test' }, summary: 'alice@example.com deleted a' });
    expect(engine.metrics()).toMatchObject({ events: 2, detections: 1 });
  });

  it('skip rules whose source does not apply', () => {
    const engine = new DetectionEngine(rules(rule('match: {verb: delete}').replace('source: k8s.audit', 'source: container')));
    expect(run(engine, [event(0)])).toEqual([]);
  });
});

describe('threshold', () => {
  const engine = () => new DetectionEngine(rules(rule('match: {verb: delete}\nthreshold: {count: 3, within: 1m}\ngroup_by: [user.name]')));

  it('fires when the count is reached within the window, per group', () => {
    const found = run(engine(), [event(0), event(10, { user: 'bob' }), event(20), event(30, { user: 'bob' }), event(40)]);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ count: 3, firstSeen: T0, time: T0 + 40_000, entity: { user: 'alice@example.com' } });
    expect(found[0].eventIds).toHaveLength(3);
  });

  it('does not fire when the events are spread wider than the window', () => {
    expect(run(engine(), [event(0), event(40), event(80), event(120)])).toEqual([]);
  });

  it('adds each further event of an ongoing burst, then starts counting anew after a quiet window', () => {
    const found = run(engine(), [event(0), event(1), event(2), event(3), event(4), event(200), event(201)]);
    expect(found.map((d) => d.count)).toEqual([3, 1, 1]);
  });

  it('counts distinct values with distinct:', () => {
    const distinct = new DetectionEngine(rules(rule('match: {verb: get}\nthreshold: {count: 3, within: 1m, distinct: orchestrator.resource.name}\ngroup_by: [user.name]')));
    expect(run(distinct, [event(0, { verb: 'get', name: 'a' }), event(1, { verb: 'get', name: 'a' }), event(2, { verb: 'get', name: 'b' })])).toEqual([]);
    expect(run(distinct, [event(3, { verb: 'get', name: 'c' })])).toHaveLength(1);
  });
});

describe('baseline', () => {
  const engine = () => new DetectionEngine(rules(rule('match: {verb: delete}\nbaseline: {bucket: 10m, factor: 4, floor: 5, warmup: 1h}\ngroup_by: [user.name]')));
  const history = (): VigilEvent[] => Array.from({ length: 12 }, (_, hour) => [event(hour * 600), event(hour * 600 + 5)]).flat();

  it("fires when an entity far exceeds its own usual rate after the warm-up", () => {
    const found = run(engine(), [...history(), ...Array.from({ length: 10 }, (_, i) => event(7300 + i))]);
    expect(found.length).toBeGreaterThan(0);
    expect(found[0]).toMatchObject({ entity: { user: 'alice@example.com' } });
    // Usual 2 per bucket → limit max(4 × 2, 5) = 8; the sliding estimate counts 5/6 of the previous
    // bucket's 2 events, so the 7th event of the burst crosses it.
    expect(found[0].count).toBe(7);
  });

  it('stays quiet for the same burst before the warm-up and for the usual rate', () => {
    expect(run(engine(), Array.from({ length: 10 }, (_, i) => event(i)))).toEqual([]);
    expect(run(engine(), history())).toEqual([]);
  });
});

describe('new_value', () => {
  const engine = () => new DetectionEngine(rules(rule('match: {verb: get}\nnew_value: {fields: [user_agent.original], lookback: 1d, learn: 1h}\ngroup_by: [user.name]')));

  it('fires on a value the entity has not shown, once it has been learned', () => {
    const found = run(engine(), [event(0, { verb: 'get' }), event(3600, { verb: 'get' }), event(3700, { verb: 'get', ua: 'curl/8.5.0' }), event(3800, { verb: 'get', ua: 'curl/8.5.0' })]);
    expect(found).toHaveLength(1);
    expect(found[0].entity.user).toBe('alice@example.com');
  });

  it('learns silently during the learning period and fires again after the lookback', () => {
    expect(run(engine(), [event(0, { verb: 'get' }), event(60, { verb: 'get', ua: 'curl/8.5.0' })])).toEqual([]);
    const found = run(engine(), [event(0, { verb: 'get', ua: 'curl/8.5.0' }), event(90_000, { verb: 'get' }), event(180_000, { verb: 'get', ua: 'curl/8.5.0' })]);
    expect(found).toHaveLength(2);
  });
});

describe('sequence', () => {
  const engine = () =>
    new DetectionEngine(rules(rule('match: {verb: [create, delete]}\nsequence: {within: 5m, steps: [{verb: create}, {verb: delete}]}\ngroup_by: [user.name]')));

  it('fires on the steps in order by the same group within the bound', () => {
    const found = run(engine(), [event(0, { verb: 'create' }), event(10, { verb: 'delete', user: 'bob' }), event(60, { verb: 'delete' })]);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ count: 2, firstSeen: T0, entity: { user: 'alice@example.com' } });
  });

  it('ignores the wrong order and steps too far apart', () => {
    expect(run(engine(), [event(0, { verb: 'delete' }), event(10, { verb: 'create' })])).toEqual([]);
    expect(run(engine(), [event(0, { verb: 'create' }), event(400, { verb: 'delete' })])).toEqual([]);
  });
});

describe('absence', () => {
  const absenceRules = () => rules(rule('absence: {after: 10m}\ngroup_by: [user.name]\nentity: {user: user.name}'));

  it('fires once when the clock passes the limit (other groups or tick) and again after the group spoke', () => {
    const engine = new DetectionEngine(absenceRules(), { absenceCheckMs: 1000 });
    run(engine, [event(0, { user: 'node-a' }), event(0, { user: 'node-b' })]);
    const found = run(engine, Array.from({ length: 20 }, (_, i) => event(60 * (i + 1), { user: 'node-b' })));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ entity: { user: 'node-a', cluster: 'test' }, firstSeen: T0, eventIds: [] });
    expect(engine.tick(T0 + 7200_000).map((d) => d.entity.user)).toEqual(['node-b']);
    expect(engine.tick(T0 + 7300_000)).toEqual([]);
  });

  it('fires on the gap when the only stream resumes after the limit', () => {
    const engine = new DetectionEngine(absenceRules());
    const found = run(engine, [event(0), event(60), event(60 + 15 * 60)]);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ firstSeen: T0 + 60_000, time: T0 + 960_000 });
  });

  it('does not mistake a stream read later in a batch for a silent one', () => {
    const engine = new DetectionEngine(rules(rule('absence: {after: 10m}\ngroup_by: [vigil.source]').replace('source: k8s.audit', 'source: [k8s.audit, container]')), { absenceCheckMs: 1000 });
    run(engine, [event(7200)]);
    const container = { ...event(0), source: 'container' as const, id: 'c-0' };
    const later = { ...event(300), source: 'container' as const, id: 'c-1' };
    expect(run(engine, [container, later])).toEqual([]);
  });
});

describe('bounded state', () => {
  it('evicts the least recently active groups beyond the cap and counts the evictions', () => {
    const engine = new DetectionEngine(rules(rule('match: {verb: delete}\nthreshold: {count: 2, within: 1h}\ngroup_by: [user.name]')), { maxGroups: 2 });
    run(engine, [event(0, { user: 'a' }), event(1, { user: 'b' }), event(2, { user: 'c' })]);
    expect(engine.metrics()).toMatchObject({ stateGroups: 2, evictions: { r: 1 } });
    expect(run(engine, [event(3, { user: 'a' })])).toEqual([]);
    expect(run(engine, [event(4, { user: 'c' })])).toHaveLength(1);
  });
});

describe('snapshot and restore', () => {
  const thresholdRule = rule('match: {verb: delete}\nthreshold: {count: 3, within: 1h}\ngroup_by: [user.name]');

  it('continues counting where the saved state left off, through JSON', () => {
    const before = new DetectionEngine(rules(thresholdRule));
    run(before, [event(0), event(1)]);
    const saved = JSON.parse(JSON.stringify(before.snapshot()));
    const after = new DetectionEngine(rules(thresholdRule));
    expect(after.restore(saved)).toEqual({ restored: ['r'], skipped: [] });
    expect(after.clock).toBe(T0 + 1000);
    expect(run(after, [event(2)])).toHaveLength(1);
  });

  it('skips the state of a rule whose logic changed', () => {
    const before = new DetectionEngine(rules(thresholdRule));
    run(before, [event(0), event(1)]);
    const changed = new DetectionEngine(rules(thresholdRule.replace('count: 3', 'count: 4')));
    expect(changed.restore(before.snapshot())).toEqual({ restored: [], skipped: ['r'] });
    expect(() => changed.restore({ version: 2 } as never)).toThrow(/unknown snapshot version/);
  });

  it('round-trips every operator', () => {
    const all = rules(`
rules:
  - {id: t, title: t, description: d, severity: low, match: {verb: delete}, threshold: {count: 9, within: 1h, distinct: name}, group_by: [user]}
  - {id: b, title: b, description: d, severity: low, match: {verb: delete}, baseline: {bucket: 10m, factor: 2, floor: 9, warmup: 1h}, group_by: [user]}
  - {id: n, title: n, description: d, severity: low, new_value: {fields: [ua, ip], lookback: 1d, learn: 1h}, group_by: [user]}
  - {id: s, title: s, description: d, severity: low, sequence: {within: 1h, steps: [{verb: get}, {verb: delete}]}, group_by: [user]}
  - {id: a, title: a, description: d, severity: low, absence: {after: 1h}}
`);
    const before = new DetectionEngine(all);
    run(before, [event(0, { verb: 'get' }), event(1), event(2)]);
    const snapshot = JSON.parse(JSON.stringify(before.snapshot()));
    const after = new DetectionEngine(all);
    expect(after.restore(snapshot).restored.sort()).toEqual(['a', 'b', 'n', 's', 't']);
    expect(JSON.parse(JSON.stringify(after.snapshot()))).toEqual(snapshot);
  });
});

describe('rule index', () => {
  it('does not run rules that cannot apply to the event', () => {
    let evaluated = 0;
    const [indexed] = rules(rule('match: {verb: delete, resource: secrets}'));
    const counting = { ...indexed, condition: { ...indexed.condition, test: (e: VigilEvent) => (evaluated++, indexed.condition.test(e)) } };
    const engine = new DetectionEngine([counting]);
    run(engine, [event(0, { verb: 'get', resource: 'secrets' }), event(1, { verb: 'delete', resource: 'pods' }), event(2, { verb: 'delete', resource: 'secrets' })]);
    expect(evaluated).toBe(1);
  });

  it('refuses two rules with one id', () => {
    const [one] = rules(rule('match: {verb: delete}'));
    expect(() => new DetectionEngine([one, { ...one }])).toThrow(/duplicate rule id "r"/);
  });
});
