import { AlertGrouper, type Alert } from './alert.js';
import { DetectionEngine } from './engine.js';
import type { CompiledRule } from './rule.js';
import type { TestCase } from './rule-schema.js';
import { expandTestSteps } from './test-events.js';

export interface RuleTestResult {
  ruleId: string;
  origin: string;
  kind: 'positive' | 'negative';
  name: string;
  passed: boolean;
  /** Why it failed, in words a rule author can act on. */
  problem?: string;
}

export interface RuleTestReport {
  results: RuleTestResult[];
  /** Rules with no positive or no negative test. */
  untested: string[];
  failed: number;
}

const TEST_CLUSTER = 'rules-test';

/**
 * Runs every rule's own test events through an engine holding only that rule: positive cases
 * must raise an alert (matching `expect` when given), negative cases must raise nothing.
 * This is what `vigil rules test` runs and what the test suite runs for the built-in pack.
 */
export function runRuleTests(rules: readonly CompiledRule[]): RuleTestReport {
  const results: RuleTestResult[] = [];
  const untested: string[] = [];
  for (const rule of rules) {
    if (rule.tests.positive.length === 0 || rule.tests.negative.length === 0) untested.push(rule.meta.id);
    for (const testCase of rule.tests.positive) results.push(runCase(rule, testCase, 'positive'));
    for (const testCase of rule.tests.negative) results.push(runCase(rule, testCase, 'negative'));
  }
  return { results, untested, failed: results.filter((result) => !result.passed).length };
}

function runCase(rule: CompiledRule, testCase: TestCase, kind: 'positive' | 'negative'): RuleTestResult {
  const base = { ruleId: rule.meta.id, origin: rule.meta.origin, kind, name: testCase.name };
  let alerts: Alert[];
  try {
    alerts = alertsFor({ ...rule, enabled: true }, testCase);
  } catch (error) {
    return { ...base, passed: false, problem: `cannot run: ${(error as Error).message}` };
  }
  const problem = kind === 'positive' ? positiveProblem(alerts, testCase) : negativeProblem(alerts);
  return problem === undefined ? { ...base, passed: true } : { ...base, passed: false, problem };
}

function alertsFor(rule: CompiledRule, testCase: TestCase): Alert[] {
  const engine = new DetectionEngine([rule]);
  const grouper = new AlertGrouper();
  for (const input of expandTestSteps(testCase.events, TEST_CLUSTER)) {
    const detections = 'tick' in input ? engine.tick(input.tick) : engine.process(input.event);
    for (const detection of detections) grouper.add(detection);
  }
  return grouper.drain();
}

function positiveProblem(alerts: Alert[], testCase: TestCase): string | undefined {
  if (alerts.length === 0) return 'expected an alert, got none';
  const { count, entity } = testCase.expect ?? {};
  const matching = alerts.filter(
    (alert) =>
      (count === undefined || alert.count >= count) &&
      Object.entries(entity ?? {}).every(([key, value]) => alert.entity[key as keyof typeof alert.entity] === value),
  );
  if (matching.length > 0) return undefined;
  const seen = alerts.map((alert) => `count ${alert.count}, entity ${JSON.stringify(alert.entity)}`).join('; ');
  return `expected an alert with ${JSON.stringify(testCase.expect)}, got: ${seen}`;
}

function negativeProblem(alerts: Alert[]): string | undefined {
  if (alerts.length === 0) return undefined;
  return `expected no alert, got ${alerts.length}: ${alerts.map((alert) => `${alert.count} event(s), entity ${JSON.stringify(alert.entity)}`).join('; ')}`;
}
