import { describe, expect, it } from 'vitest';
import type { PostureReport } from './assess.js';
import { CIS, type Finding } from './findings.js';
import { toSarif } from './sarif.js';

const finding = (id: string, severity: Finding['severity'], extra: Partial<Finding> = {}): Finding => ({
  id,
  severity,
  title: `${id} title`,
  evidence: ['one fact', 'another'],
  fix: 'do this',
  ...extra,
});

function report(findings: Finding[]): PostureReport {
  return {
    inputs: { rules: 0 },
    findings,
    coverage: [],
    summary: { findings: { info: 0, low: 0, medium: 0, high: 0, critical: 0 }, coverage: { fires: 0, partial: 0, blind: 0, unknown: 0, 'not-audit': 0 } },
  };
}

interface SarifRun {
  tool: { driver: { name: string; rules: Array<{ id: string; shortDescription: { text: string }; properties: { 'security-severity': string; tags: string[] } }> } };
  results: Array<{ ruleId: string; ruleIndex: number; level: string; message: { text: string }; locations?: unknown[]; partialFingerprints: Record<string, string> }>;
}

describe('toSarif', () => {
  const sarif = toSarif(
    report([
      finding('audit-policy-unset', 'critical', { cis: CIS.minimalPolicy, location: { file: 'manifests/kube-apiserver.yaml' } }),
      finding('rule-blind', 'high', { subject: 'k8s-exec-into-pod', location: { file: 'audit/policy.yaml', line: 12 } }),
      finding('rule-blind', 'medium', { subject: 'k8s-port-forward', location: { file: 'audit/policy.yaml', line: 12 } }),
      finding('collector-not-ready', 'medium'),
      finding('profiling-enabled', 'low'),
    ]),
  ) as { version: string; runs: SarifRun[] };
  const [run] = sarif.runs;

  it('is SARIF 2.1.0 with one reporting rule per finding id, described generically', () => {
    expect(sarif.version).toBe('2.1.0');
    expect(run.tool.driver.name).toBe('vigil posture');
    expect(run.tool.driver.rules.map((rule) => rule.id)).toEqual(['audit-policy-unset', 'rule-blind', 'collector-not-ready', 'profiling-enabled']);
    expect(run.tool.driver.rules[1].shortDescription.text).toBe('a detection rule can never fire under this audit policy');
    expect(run.tool.driver.rules[0].properties.tags).toContain('CIS-3.2.1');
  });

  it('ranks by severity: levels and the security-severity score code scanning sorts by', () => {
    expect(run.results.map((result) => result.level)).toEqual(['error', 'error', 'warning', 'warning', 'note']);
    expect(run.tool.driver.rules.map((rule) => rule.properties['security-severity'])).toEqual(['9.5', '8.0', '5.5', '3.0']);
  });

  it('points results at the file and line, carries evidence and fix, and fingerprints by subject', () => {
    const blind = run.results[1];
    expect(blind).toMatchObject({ ruleId: 'rule-blind', ruleIndex: 1 });
    expect(blind.locations).toEqual([{ physicalLocation: { artifactLocation: { uri: 'audit/policy.yaml' }, region: { startLine: 12 } } }]);
    expect(blind.message.text).toBe('rule-blind title\n- one fact\n- another\nFix: do this');
    expect(blind.partialFingerprints.vigilFinding).toBe('rule-blind/k8s-exec-into-pod');
    expect(run.results[2].partialFingerprints.vigilFinding).toBe('rule-blind/k8s-port-forward');
    expect(run.results[3].locations).toBeUndefined();
  });
});
