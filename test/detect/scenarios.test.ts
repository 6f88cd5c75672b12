import { describe, expect, it } from 'vitest';
import { alertToJson, severityRank, type AlertJson } from '../../src/detect/alert.js';
import { Detector } from '../../src/detect/detector.js';
import { builtinRulesDir, loadRules } from '../../src/detect/loader.js';
import { normalizeAuditEvent } from '../../src/model/k8s-audit.js';
import { sortByTime, type RawAuditEvent } from './scenarios/audit-builder.js';
import { ATTACKS } from './scenarios/attacks.js';
import { normalDay } from './scenarios/normal-day.js';

const RULES = loadRules(builtinRulesDir(), 'builtin');
const DAY = normalDay();

function detect(rawEvents: readonly RawAuditEvent[]): AlertJson[] {
  const detector = new Detector(RULES);
  for (const raw of rawEvents) detector.process(normalizeAuditEvent(raw, JSON.stringify(raw), 'prod-eu'));
  return detector.finish().map(alertToJson);
}

const isHigh = (alert: AlertJson): boolean => severityRank(alert.rule.severity) >= severityRank('high');

describe('a normal day of cluster traffic', () => {
  const alerts = detect(DAY);

  it('spans a day with thousands of events from kubelets, controllers, workloads and people', () => {
    expect(DAY.length).toBeGreaterThan(5000);
    const users = new Set(DAY.map((event) => (event.user as { username: string }).username));
    expect([...users].filter((user) => user.startsWith('system:node:'))).toHaveLength(4);
    expect([...users].filter((user) => user.includes('-controller'))).not.toHaveLength(0);
    expect([...users].filter((user) => user.endsWith('@example.com'))).toHaveLength(4);
  });

  it('raises no high or critical alert', () => {
    expect(alerts.filter(isHigh).map((alert) => `${alert.rule.id}: ${alert.summary}`)).toEqual([]);
  });

  it('records the day\'s routine but notable actions at medium or low', () => {
    expect(alerts.map((alert) => [alert.rule.id, alert.entity.user]).sort()).toEqual([
      ['k8s-exec-into-pod', 'alice@example.com'],
      ['k8s-namespace-deleted', 'dave@example.com'],
      ['k8s-port-forward', 'bob@example.com'],
    ]);
  });
});

describe('one attack mixed into the normal day', () => {
  for (const attack of ATTACKS) {
    it(`${attack.name}: raises a high alert on the right entity`, () => {
      const day = attack.removes ? DAY.filter((event) => !attack.removes?.(event)) : DAY;
      const alerts = detect(sortByTime([...day, ...attack.events()]));
      const onEntity = alerts.filter(isHigh).filter((alert) =>
        Object.entries(attack.expect).every(([key, value]) => alert.entity[key as keyof AlertJson['entity']] === value),
      );
      expect(onEntity.map((alert) => alert.rule.id), `high alerts: ${JSON.stringify(alerts.filter(isHigh).map((a) => [a.rule.id, a.entity]))}`).not.toEqual([]);
    });
  }
});
