import { describe, expect, it } from 'vitest';
import { auditEvent } from '../../../test/detect-formats/audit-event.js';
import { compileCondition } from '../condition.js';
import { AllWithin } from './all-within.js';

const LIMITS = { maxGroups: 10, maxValuesPerGroup: 10, maxEventIds: 10 };
const at = (verb: string, second: number) => auditEvent({ auditID: `${verb}-${second}`, verb, requestReceivedTimestamp: new Date(Date.parse('2026-03-02T10:00:00Z') + second * 1000).toISOString() });

describe('AllWithin', () => {
  const steps = [compileCondition({ verb: 'get' }, new Map(), 's0'), compileCondition({ verb: 'delete' }, new Map(), 's1')];

  it('fires once every step has matched within the bound, in any order', () => {
    const operator = new AllWithin(steps, 60_000, LIMITS);
    expect(operator.observe(at('delete', 0), 'g')).toBeUndefined();
    expect(operator.observe(at('get', 30), 'g')).toMatchObject({ count: 2, eventIds: [at('get', 30).id, at('delete', 0).id] });
    expect(operator.size).toBe(0);
  });

  it('measures the bound from the latest match of each step', () => {
    const operator = new AllWithin(steps, 60_000, LIMITS);
    operator.observe(at('get', 0), 'g');
    expect(operator.observe(at('delete', 90), 'g')).toBeUndefined();
    expect(operator.observe(at('get', 100), 'g')).toMatchObject({ firstSeen: at('delete', 90).timestamp });
  });
});
