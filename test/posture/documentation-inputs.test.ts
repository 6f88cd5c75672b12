import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtinRulesDir, loadRules } from '../../src/detect/loader.js';
import type { CompiledRule } from '../../src/detect/rule.js';
import { assessPosture, type PostureInputs, type PostureReport } from '../../src/posture/assess.js';
import { atOrAbove, FINDING_KINDS, type Finding } from '../../src/posture/findings.js';
import { REPO_ROOT } from '../helpers/cli.js';

/** Findings on inputs from the documentation world (see test/fixtures/posture/README.md). */

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'posture');
const fixture = (name: string): string => join(FIXTURES, name);
const DEPLOY_POLICY = join(REPO_ROOT, 'deploy', 'audit', 'audit-policy.yaml');
let rules: CompiledRule[];

beforeAll(() => {
  rules = loadRules(builtinRulesDir(), 'builtin');
});

async function assess(inputs: Omit<PostureInputs, 'rules'>): Promise<PostureReport> {
  const report = await assessPosture({ ...inputs, rules });
  for (const finding of report.findings) expect(FINDING_KINDS[finding.id], `finding id ${finding.id} is documented`).toBeDefined();
  return report;
}
const brief = (findings: readonly Finding[]): string[] => findings.map((finding) => `${finding.severity} ${finding.id}${finding.subject === undefined ? '' : ` ${finding.subject}`}`);
const failing = (report: PostureReport): string[] => brief(report.findings.filter((finding) => atOrAbove(finding.severity, 'high')));

describe('kubeadm kube-apiserver manifest without audit flags', () => {
  it('finds audit logging off, with the fix and the CIS ids, and every audit rule blind', async () => {
    const report = await assess({ apiserver: fixture('kube-apiserver-kubeadm.yaml') });
    expect(brief(report.findings)).toEqual(['critical audit-policy-unset', 'high audit-backend-unset', 'low event-ttl-short', 'low profiling-enabled']);
    const [off, backend] = report.findings;
    expect(off.cis).toMatchObject({ 'cis-1.12': '3.2.1', 'cis-1.6': '3.2.1' });
    expect(off.fix).toMatch(/--audit-policy-file=/);
    expect(backend.cis).toMatchObject({ 'cis-1.12': '1.2.16', 'cis-1.8': '1.2.17', 'cis-1.24': '1.2.18', 'cis-1.6': '1.2.22' });
    expect(report.coverage.filter((entry) => entry.status !== 'not-audit').every((entry) => entry.status === 'blind')).toBe(true);
    expect(report.coverage.find((entry) => entry.ruleId === 'k8s-exec-into-pod')?.gaps[0].reason).toBe('audit logging is off (no --audit-policy-file)');
    expect(report.coverageNote).toMatch(/kube-apiserver-kubeadm.yaml has no --audit-policy-file: kube-apiserver writes no audit events$/);
  });
});

describe('kubeadm manifest with the documented audit flags and the generated policy', () => {
  it('passes: nothing at or above high', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { generatePolicy } = await import('../../src/posture/generator.js');
    const dir = mkdtempSync(join(tmpdir(), 'vigil-posture-'));
    const policy = join(dir, 'policy.yaml');
    writeFileSync(policy, generatePolicy('recommended', rules).yaml);
    const report = await assess({ apiserver: fixture('kube-apiserver-kubeadm-audit.yaml'), auditPolicy: policy });
    expect(failing(report)).toEqual([]);
    expect(brief(report.findings)).toEqual(['low event-ttl-short', 'info configmap-bodies-logged configmaps', 'info webhook-config-unchecked']);
    expect(report.summary.coverage).toMatchObject({ partial: 0, blind: 0, unknown: 0 });
  });
});

describe('the Kubernetes documentation example policy', () => {
  it('logs the essentials but leaves RBAC detections blind and workload ones partly blind', async () => {
    const report = await assess({ auditPolicy: fixture('k8s-docs-audit-policy.yaml') });
    expect(failing(report)).toEqual(['high rule-blind k8s-cluster-admin-binding', 'high rule-blind k8s-wildcard-role']);
    const ids = brief(report.findings);
    expect(ids).toEqual(
      expect.arrayContaining([
        'medium rule-partial k8s-privileged-container',
        'low rule-partial k8s-configmap-with-credentials',
        'low request-level-low rbac-write',
        'low request-level-low workloads-write',
      ]),
    );
    expect(ids.some((id) => id.includes('secret-data-logged') || id.includes('request-unlogged'))).toBe(false);
    const blind = report.findings.find((finding) => finding.subject === 'k8s-cluster-admin-binding') as Finding;
    expect(blind.evidence[1]).toMatch(/^create clusterrolebindings \(rbac.authorization.k8s.io\) by .*: logged at Metadata by policy rule #9; the rule reads requestObject.roleRef.name, which needs Request$/);
    expect(blind.location).toEqual({ file: fixture('k8s-docs-audit-policy.yaml'), line: 55 });
    expect(blind.fix).toMatch(/^Insert before policy rule #9 \(line 55\):\n- level: Request\n/);
    expect(blind.fix).toContain('rbac.authorization.k8s.io');
  });
});

describe('the GKE-default-like policy', () => {
  it('drops core Events: deletions of them are invisible, config-map credential detection is blind', async () => {
    const report = await assess({ auditPolicy: fixture('gke-default-like-audit-policy.yaml') });
    expect(failing(report)).toEqual([]);
    const ids = brief(report.findings);
    expect(ids).toEqual(
      expect.arrayContaining([
        'medium rule-blind k8s-configmap-with-credentials',
        'low rule-partial k8s-events-deleted',
        'low request-unlogged events-delete',
        'medium rule-partial k8s-mass-delete',
      ]),
    );
    const events = report.findings.find((finding) => finding.id === 'request-unlogged') as Finding;
    expect(events.evidence).toContain('delete events in payments by alice@example.com → level None by rule #10 (line 73)');
    expect(ids.some((id) => /secret-data-logged|token-logged/.test(id))).toBe(false);
  });
});

describe("Vigil's own deploy/audit/audit-policy.yaml", () => {
  it('is adequate: no finding at or above high, no secret data, exec and RBAC detections fire', async () => {
    const report = await assess({ auditPolicy: DEPLOY_POLICY });
    expect(failing(report)).toEqual([]);
    const status = new Map(report.coverage.map((entry) => [entry.ruleId, entry.status]));
    for (const id of ['k8s-exec-into-pod', 'k8s-cluster-admin-binding', 'k8s-secrets-list-cluster-wide', 'k8s-events-deleted', 'k8s-anonymous-allowed']) {
      expect(status.get(id), id).toBe('fires');
    }
    expect(brief(report.findings).some((id) => /secret-data-logged|token-logged/.test(id))).toBe(false);
  });
});

describe('a flags list with only a blocking-strict webhook, and a careless webhook kubeconfig', () => {
  it('finds the blocking webhook, the missing local log, plain HTTP and no client auth', async () => {
    const report = await assess({ apiserver: fixture('kube-apiserver-flags-webhook-only.txt'), webhookConfig: fixture('webhook-kubeconfig-plain-http.yaml') });
    expect(brief(report.findings)).toEqual([
      'high audit-webhook-blocking',
      'high webhook-plaintext',
      'medium audit-log-path-unset',
      'medium webhook-no-client-auth',
      'low event-ttl-short',
    ]);
    expect(report.findings[0].location).toEqual({ file: fixture('kube-apiserver-flags-webhook-only.txt'), line: 4 });
    expect(report.coverageNote).toBe('pass --audit-policy FILE to see which rules the policy lets fire');
  });

  it('accepts a good webhook kubeconfig, and flags the placeholders of the deploy template', async () => {
    expect((await assess({ webhookConfig: fixture('webhook-kubeconfig.yaml') })).findings).toEqual([]);
    expect(brief((await assess({ webhookConfig: join(REPO_ROOT, 'deploy', 'audit', 'webhook-kubeconfig.yaml') })).findings)).toEqual([
      'high webhook-placeholder server',
      'high webhook-placeholder token',
    ]);
  });
});

describe('retention, mounts and invalid policies', () => {
  it('checks rotation values against the CIS minimums and the mounts of a static pod', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'vigil-posture-'));
    const manifest = join(dir, 'kube-apiserver.yaml');
    writeFileSync(
      manifest,
      [
        'apiVersion: v1',
        'kind: Pod',
        'spec:',
        '  containers:',
        '  - name: kube-apiserver',
        '    command: [kube-apiserver, --audit-policy-file=/etc/kubernetes/audit/policy.yaml, --audit-log-path=/var/log/audit.log,',
        '      --audit-log-maxage=7, --audit-log-maxbackup=0, --audit-log-maxsize=0, --profiling=false, --event-ttl=24h]',
        '    volumeMounts: [{name: logs, mountPath: /var/log}]',
        '  volumes: [{name: logs, emptyDir: {}}]',
        '',
      ].join('\n'),
    );
    const report = await assess({ apiserver: manifest });
    expect(brief(report.findings)).toEqual([
      'high audit-file-not-mounted audit-log-path',
      'high audit-file-not-mounted audit-policy-file',
      'medium audit-log-maxage',
      'medium audit-log-maxsize',
      'low audit-log-maxbackup',
    ]);
    const maxage = report.findings.find((finding) => finding.id === 'audit-log-maxage') as Finding;
    expect(maxage.evidence).toEqual(['--audit-log-maxage=7 is below the CIS minimum of 30']);
    expect(maxage.cis?.['cis-1.12']).toBe('1.2.17');
  });

  it('reports a policy kube-apiserver would refuse as critical, with each problem', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'vigil-posture-'));
    const policy = join(dir, 'policy.yaml');
    writeFileSync(policy, 'apiVersion: audit.k8s.io/v1beta1\nkind: Policy\nrules:\n  - level: Metadata\n    resources: [{group: "*"}]\n');
    const report = await assess({ auditPolicy: policy });
    expect(brief(report.findings)).toEqual(['critical audit-policy-invalid']);
    expect(report.findings[0].evidence).toHaveLength(2);
    expect(report.coverageNote).toBe('the audit policy is invalid, so no rule can be judged');
  });
});
