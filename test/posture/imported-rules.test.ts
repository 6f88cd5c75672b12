import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuleSets } from '../../src/detect/loader.js';
import type { CompiledRule } from '../../src/detect/rule.js';
import { loadAuditPolicy, type AuditPolicy } from '../../src/posture/audit-policy.js';
import { evaluateCoverage, type CoverageEntry } from '../../src/posture/coverage.js';
import { generatePolicy } from '../../src/posture/generator.js';
import { deriveRequirements } from '../../src/posture/rule-requirements.js';
import { REPO_ROOT, SHARED_FIXTURES } from '../helpers/cli.js';

/** Sigma and Falco rules (the real SigmaHQ and Falco files in ../shared/fixtures) get the same coverage analysis. */

const SIGMA = join(SHARED_FIXTURES, 'sigma', 'kubernetes-audit');
const FALCO = join(SHARED_FIXTURES, 'falco', 'k8saudit-rules-current', 'k8s_audit_rules.yaml');
let sigma: CompiledRule[];
let falco: CompiledRule[];
let gke: AuditPolicy;

beforeAll(() => {
  sigma = loadRuleSets([SIGMA]).rules;
  falco = loadRuleSets([FALCO]).rules;
  gke = loadAuditPolicy(join(REPO_ROOT, 'test', 'fixtures', 'posture', 'gke-default-like-audit-policy.yaml')).policy;
});

const byTitle = (coverage: readonly CoverageEntry[], title: string): CoverageEntry => {
  const entry = coverage.find((item) => item.title === title);
  if (entry === undefined) throw new Error(`no rule titled "${title}"`);
  return entry;
};

describe('coverage of imported rules', () => {
  it('reads every Sigma and Falco condition; only rules that can never match stay unknown', () => {
    for (const rules of [sigma, falco]) {
      const coverage = evaluateCoverage(gke, deriveRequirements(rules));
      const unknown = coverage.filter((entry) => entry.status === 'unknown');
      expect(unknown.map((entry) => entry.notes.join('; ')).filter((note) => !note.includes('can never match'))).toEqual([]);
      expect(unknown.length).toBeLessThan(rules.length / 4);
    }
  });

  it('Falco: exec needs ResponseStarted, credential config maps need the request body', () => {
    const coverage = evaluateCoverage(gke, deriveRequirements(falco));
    expect(byTitle(coverage, 'Attach/Exec Pod')).toMatchObject({ status: 'fires', needs: { level: 'Metadata', stages: ['ResponseStarted'] } });
    const configMaps = byTitle(coverage, 'Create/Modify Configmap With Private Credentials');
    expect(configMaps.status).toBe('blind');
    expect(configMaps.gaps[0].reason).toMatch(/the rule reads requestObject via ka\.req\.configmap\.obj, which needs Request$/);
    expect(byTitle(coverage, 'Attach to cluster-admin Role')).toMatchObject({ status: 'fires', needs: { level: 'Request' } });
  });

  it('Sigma: the events-deleted rule is partly blind under a policy that drops core Events', () => {
    const coverage = evaluateCoverage(gke, deriveRequirements(sigma));
    const events = byTitle(coverage, 'Kubernetes Events Deleted');
    expect(events.status).toBe('partial');
    expect(events.gaps[0].reason).toBe('not logged: policy rule #10 sets level None');
  });

  it('a policy generated for the Falco rules lets every analysable one fire', () => {
    const generated = generatePolicy('minimal', falco);
    const notFiring = generated.coverage.filter((entry) => entry.status !== 'fires' && entry.status !== 'unknown');
    expect(notFiring.map((entry) => `${entry.title}: ${entry.gaps[0]?.reason}`)).toEqual([]);
  });
});
