import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { VigilEvent } from '../../src/model/event.js';
import { normalizeAuditEvent } from '../../src/model/k8s-audit.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { REPO_ROOT, tempDir, vigil } from '../helpers/cli.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'posture');
const fixture = (name: string): string => join(FIXTURES, name);
let dir: string;
let recommended: string;

beforeAll(async () => {
  dir = tempDir('vigil-posture-cli-');
  const generated = await vigil(['policy', 'generate', '--profile', 'recommended']);
  expect(generated.code).toBe(0);
  expect(generated.stderr).toMatch(/^profile recommended: (\d+) of \1 rules that read audit events can fire$/m);
  recommended = join(dir, 'recommended.yaml');
  writeFileSync(recommended, generated.stdout);
});

describe('vigil posture', () => {
  it('fails a kubeadm manifest without audit flags, with findings, fixes and the blind coverage matrix', async () => {
    const result = await vigil(['posture', '--apiserver', fixture('kube-apiserver-kubeadm.yaml'), '--audit-policy', recommended]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^CRITICAL audit-policy-unset \[CIS 3\.2\.1\]: Audit logging is off: no --audit-policy-file$/m);
    expect(result.stdout).toMatch(/^ {2}fix: Write an audit policy/m);
    expect(result.stdout).toMatch(/^k8s-exec-into-pod\s+medium\s+blind\s+Metadata @ ResponseStarted\|ResponseComplete\s+create pods\/exec .*audit log/m);
    expect(result.stdout).toMatch(/at or above high: exit status 1\n$/);
  });

  it('passes the same manifest with the documented audit flags and the generated recommended policy', async () => {
    const result = await vigil(['posture', '--apiserver', fixture('kube-apiserver-kubeadm-audit.yaml'), '--audit-policy', recommended]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^k8s-exec-into-pod\s+medium\s+fires\s+Metadata @ ResponseStarted\|ResponseComplete$/m);
    expect(result.stdout).toMatch(/^k8s-cluster-admin-binding\s+high\s+fires\s+Request @ ResponseComplete$/m);
    expect(result.stdout).toMatch(/none at or above high\n$/);
  });

  it('prints the report and the coverage matrix as JSON, and gates on --fail-on', async () => {
    const json = await vigil(['posture', '--audit-policy', join(REPO_ROOT, 'deploy', 'audit', 'audit-policy.yaml'), '-o', 'json']);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(Object.keys(report)).toEqual(['inputs', 'findings', 'coverage', 'summary']);
    const exec = report.coverage.find((entry: { ruleId: string }) => entry.ruleId === 'k8s-exec-into-pod');
    expect(exec).toMatchObject({ status: 'fires', needs: { level: 'Metadata', stages: ['ResponseStarted', 'ResponseComplete'] } });
    expect(report.findings.every((finding: { severity: string }) => ['medium', 'low', 'info'].includes(finding.severity))).toBe(true);
    const strict = await vigil(['posture', '--audit-policy', join(REPO_ROOT, 'deploy', 'audit', 'audit-policy.yaml'), '--fail-on', 'medium', '-o', 'sarif']);
    expect(strict.code).toBe(1);
    const sarif = JSON.parse(strict.stdout);
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results.length).toBe(report.findings.length);
  });

  it('reads which sources arrive from a data dir', async () => {
    const dataDir = join(dir, 'data');
    const store = SqliteStore.open(dataDir);
    const event = (auditId: string, at: number): VigilEvent => {
      const raw = { kind: 'Event', apiVersion: 'audit.k8s.io/v1', auditID: auditId, stage: 'ResponseComplete', verb: 'get', requestReceivedTimestamp: new Date(at).toISOString() };
      return normalizeAuditEvent(raw, JSON.stringify(raw), 'prod');
    };
    await store.append([event('old-1', Date.now() - 3 * 86_400_000), event('old-2', Date.now() - 2 * 86_400_000)]);
    await store.close();
    const result = await vigil(['posture', '--data-dir', dataDir, '-o', 'json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.findings.map((finding: { id: string; subject: string }) => `${finding.id} ${finding.subject}`)).toEqual(['source-silent prod/k8s.audit', 'source-never-seen container']);
    expect(report.sources).toHaveLength(1);
  });

  it('refuses to run without inputs, with exit status 2', async () => {
    const none = await vigil(['posture']);
    expect(none).toMatchObject({ code: 2, stdout: '' });
    expect(none.stderr).toMatch(/nothing to assess: give at least one of --apiserver/);
  });
});

describe('vigil policy explain', () => {
  it('prints the level, the stages and the deciding rule with its line', async () => {
    const result = await vigil([
      'policy', 'explain', '--audit-policy', fixture('k8s-docs-audit-policy.yaml'),
      '--user', 'alice@example.com', '--verb', 'create', '--resource', 'clusterrolebindings.rbac.authorization.k8s.io',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        'request: create clusterrolebindings (rbac.authorization.k8s.io) by alice@example.com (groups system:authenticated)',
        'level:   Metadata',
        'stages:  ResponseComplete logged; RequestReceived not logged',
        `rule:    #9 (${fixture('k8s-docs-audit-policy.yaml')}:55)`,
        '         - level: Metadata',
        '           omitStages:',
        '             - RequestReceived',
        '',
      ].join('\n'),
    );
  });

  it('explains non-resource URLs and the default None as JSON', async () => {
    const result = await vigil(['policy', 'explain', '--audit-policy', fixture('gke-default-like-audit-policy.yaml'), '--user', 'system:anonymous', '--verb', 'get', '--path', '/healthz/etcd', '-o', 'json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ level: 'None', logged: [], rule: { index: 9, line: 67, nonResourceURLs: ['/healthz*', '/version', '/swagger*'] } });
  });
});
