import { describe, expect, it } from 'vitest';
import { compileRuleFiles } from './loader.js';
import { runRuleTests } from './rule-tests.js';

const EVENT = '{kind: Event, auditID: a, stage: ResponseComplete, verb: delete, user: {username: bob}, objectRef: {resource: secrets, namespace: shop, name: s}, requestReceivedTimestamp: "2026-03-02T10:00:00Z"}';

function report(tests: string) {
  const rules = compileRuleFiles([
    { path: 'r.yaml', text: `id: secret-deleted\ntitle: t\ndescription: d\nseverity: medium\nmatch: {verb: delete, resource: secrets}\ntests:\n${tests}` },
  ]);
  return runRuleTests(rules);
}

describe('runRuleTests', () => {
  it('passes when positives alert (matching expect) and negatives do not', () => {
    const result = report(`  positive: [{name: deleted, events: [${EVENT}], expect: {count: 1, entity: {user: bob, namespace: shop}}}]\n  negative: [{name: read, events: [{<<: ${EVENT}, verb: get}]}]\n`);
    expect(result).toMatchObject({ failed: 0, untested: [] });
    expect(result.results.map((r) => [r.kind, r.name, r.passed])).toEqual([['positive', 'deleted', true], ['negative', 'read', true]]);
  });

  it('reports each failing case with what was expected and what happened', () => {
    const result = report(
      `  positive:\n    - {name: wrong event, events: [{<<: ${EVENT}, verb: get}]}\n    - {name: wrong entity, events: [${EVENT}], expect: {entity: {user: alice}}}\n  negative: [{name: actually fires, events: [${EVENT}]}]\n`,
    );
    expect(result.failed).toBe(3);
    expect(result.results.map((r) => r.problem)).toEqual([
      'expected an alert, got none',
      expect.stringMatching(/^expected an alert with \{"entity":\{"user":"alice"\}\}, got: count 1, entity \{"user":"bob"/),
      expect.stringMatching(/^expected no alert, got 1: 1 event\(s\)/),
    ]);
  });

  it('reports test events that are not audit events as failures to run, and rules without tests', () => {
    const result = report(`  positive: [{name: broken, events: [{kind: Pod, metadata: {}}]}]\n`);
    expect(result.results[0]).toMatchObject({ passed: false, problem: expect.stringMatching(/^cannot run: step 1: not a Kubernetes audit Event/) });
    expect(result.untested).toEqual(['secret-deleted']);
  });
});
