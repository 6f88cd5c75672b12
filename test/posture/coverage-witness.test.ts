import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtinRulesDir, loadRules } from '../../src/detect/loader.js';
import type { CompiledRule } from '../../src/detect/rule.js';
import type { TestCase, TestStep } from '../../src/detect/rule-schema.js';
import { runRuleTests } from '../../src/detect/rule-tests.js';
import { loadAuditPolicy, type AuditPolicy } from '../../src/posture/audit-policy.js';
import { evaluateCoverage, type CoverageEntry } from '../../src/posture/coverage.js';
import { emulateAuditLog } from '../../src/posture/emulate.js';
import { generatePolicy } from '../../src/posture/generator.js';
import { deriveRequirements, type RuleRequirement } from '../../src/posture/rule-requirements.js';
import { REPO_ROOT } from '../helpers/cli.js';

/**
 * The coverage matrix is derived from the rules' conditions; this checks it against the engine
 * itself: each rule's own positive test events are rewritten as kube-apiserver would log them
 * under the policy (dropped, stage-filtered, bodies stripped) and run through the rule. A rule
 * the matrix says fires must still fire; a rule it calls blind must not.
 */

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'posture');
let rules: CompiledRule[];
let requirements: RuleRequirement[];
const policies = new Map<string, AuditPolicy>();

beforeAll(() => {
  rules = loadRules(builtinRulesDir(), 'builtin');
  requirements = deriveRequirements(rules);
  policies.set('Kubernetes docs example', loadAuditPolicy(join(FIXTURES, 'k8s-docs-audit-policy.yaml')).policy);
  policies.set('GKE-default-like', loadAuditPolicy(join(FIXTURES, 'gke-default-like-audit-policy.yaml')).policy);
  policies.set('deploy/audit', loadAuditPolicy(join(REPO_ROOT, 'deploy', 'audit', 'audit-policy.yaml')).policy);
  for (const profile of ['minimal', 'recommended', 'forensic'] as const) policies.set(`generated ${profile}`, generatePolicy(profile, rules).policy);
  policies.set('metadata for everything', { rules: [{ level: 'Metadata' }] });
  policies.set('nothing', { rules: [{ level: 'None' }] });
});

function asLogged(policy: AuditPolicy, steps: readonly TestStep[]): TestStep[] {
  return steps.flatMap((step): TestStep[] => {
    if ('tick' in step || 'ecs' in step) return [step];
    if ('repeat' in step && 'every' in step && typeof step.event === 'object' && step.event !== null) {
      const original = step.event as Record<string, unknown>;
      const logged = emulateAuditLog(policy, original);
      const same = logged.find((event) => event.stage === original.stage) ?? logged[0];
      return same === undefined ? [] : [{ ...step, event: same }];
    }
    return emulateAuditLog(policy, step as Record<string, unknown>) as TestStep[];
  });
}

function replayPositives(rule: CompiledRule, policy: AuditPolicy): boolean[] {
  const positive: TestCase[] = rule.tests.positive.map((testCase) => ({ ...testCase, events: asLogged(policy, testCase.events) }));
  return positive.map((testCase) => {
    if (testCase.events.length === 0) return false;
    const report = runRuleTests([{ ...rule, tests: { positive: [testCase], negative: [] } }]);
    return report.failed === 0;
  });
}

describe('coverage matrix agrees with the engine replaying each rule’s test events', () => {
  it.each([
    'Kubernetes docs example',
    'GKE-default-like',
    'deploy/audit',
    'generated minimal',
    'generated recommended',
    'generated forensic',
    'metadata for everything',
    'nothing',
  ])('%s', (name) => {
    const policy = policies.get(name) as AuditPolicy;
    const coverage = evaluateCoverage(policy, requirements);
    const heartbeatOnly = new Set(requirements.filter((requirement) => requirement.mode === 'any').map((requirement) => requirement.rule.meta.id));
    const disagreements: string[] = [];
    const byId = new Map<string, CoverageEntry>(coverage.map((entry) => [entry.ruleId, entry]));
    for (const rule of rules) {
      const entry = byId.get(rule.meta.id) as CoverageEntry;
      if (entry.status !== 'fires' && entry.status !== 'blind') continue;
      const results = replayPositives(rule, policy);
      // An absence rule fires on any logged request; its test stream is one request shape, which a policy may drop.
      if (entry.status === 'fires' && !heartbeatOnly.has(rule.meta.id) && results.includes(false)) disagreements.push(`${rule.meta.id}: matrix says fires, a positive test no longer fires`);
      if (entry.status === 'blind' && results.includes(true)) disagreements.push(`${rule.meta.id}: matrix says blind, a positive test still fires`);
    }
    expect(disagreements).toEqual([]);
  });

  it('sees both outcomes among the inputs, so the comparison has teeth', () => {
    const statuses = new Set<string>();
    for (const policy of policies.values()) for (const entry of evaluateCoverage(policy, requirements)) statuses.add(entry.status);
    expect([...statuses].sort()).toEqual(['blind', 'fires', 'not-audit', 'partial']);
  });
});
