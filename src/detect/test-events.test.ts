import { describe, expect, it } from 'vitest';
import { expandTestSteps } from './test-events.js';
import type { TestStep } from './rule-schema.js';

const TEMPLATE = {
  kind: 'Event',
  auditID: 'del',
  stage: 'ResponseComplete',
  verb: 'delete',
  objectRef: { resource: 'configmaps', namespace: 'shop', name: 'cm-{i}' },
  requestReceivedTimestamp: '2026-03-02T10:00:00Z',
  stageTimestamp: '2026-03-02T10:00:00.5Z',
};

describe('expandTestSteps', () => {
  it('repeats an event with {i} filled in, distinct audit ids and advancing timestamps', () => {
    const inputs = expandTestSteps([{ repeat: 3, every: 10_000, event: TEMPLATE }] as TestStep[], 'c');
    const events = inputs.map((input) => ('event' in input ? input.event : undefined));
    expect(events.map((event) => event?.resourceName)).toEqual(['cm-0', 'cm-1', 'cm-2']);
    expect(events.map((event) => event?.auditId)).toEqual(['del-0', 'del-1', 'del-2']);
    expect(events.map((event) => event?.timestamp)).toEqual([0, 10_000, 20_000].map((ms) => Date.parse('2026-03-02T10:00:00Z') + ms));
    expect(new Set(events.map((event) => event?.id)).size).toBe(3);
    expect((events[2]?.raw as { stageTimestamp: string }).stageTimestamp).toBe('2026-03-02T10:00:20.500Z');
  });

  it('builds events of other sources from ECS field names, and clock ticks', () => {
    const inputs = expandTestSteps(
      [{ ecs: { '@timestamp': '2026-03-02T10:00:00Z', 'vigil.source': 'container', 'host.name': 'worker-1', message: 'hello' } }, { tick: '2026-03-02T11:00:00Z' }] as TestStep[],
      'c',
    );
    expect(inputs[0]).toMatchObject({ event: { source: 'container', hostName: 'worker-1', message: 'hello', cluster: 'c', timestamp: Date.parse('2026-03-02T10:00:00Z') } });
    expect(inputs[1]).toEqual({ tick: Date.parse('2026-03-02T11:00:00Z') });
  });

  it('says which step is wrong', () => {
    expect(() => expandTestSteps([{ ecs: { 'vigil.source': 'container' } }] as TestStep[], 'c')).toThrow(/step 1: an ecs test event needs "@timestamp"/);
    expect(() => expandTestSteps([{ ecs: { '@timestamp': '2026-03-02T10:00:00Z', 'vigil.source': 'container', colour: 'red' } }] as TestStep[], 'c')).toThrow(/unknown ECS field "colour"/);
    expect(() => expandTestSteps([TEMPLATE, { kind: 'Event' }] as TestStep[], 'c')).toThrow(/step 2: audit Event without "auditID"/);
    expect(() => expandTestSteps([{ tick: 'soon' }] as TestStep[], 'c')).toThrow(/step 1: "soon" is not an RFC 3339 time/);
  });
});
