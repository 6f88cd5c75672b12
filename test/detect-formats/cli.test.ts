import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SHARED_FIXTURES, tempDir, vigil } from '../helpers/cli.js';

const FALCO_2023 = join(SHARED_FIXTURES, 'falco', 'k8saudit-rules-2023', 'k8s_audit_rules.yaml');
const SIGMA = join(SHARED_FIXTURES, 'sigma', 'kubernetes-audit');
const PRIVILEGED_POD = join(SHARED_FIXTURES, 'falco', 'trace_files', 'k8s_audit', 'create_nginx_pod_privileged.json');
const SECRET_LIST = JSON.stringify({
  kind: 'Event',
  apiVersion: 'audit.k8s.io/v1',
  auditID: 'list-1',
  stage: 'ResponseComplete',
  verb: 'list',
  requestURI: '/api/v1/secrets',
  user: { username: 'dave@example.com' },
  sourceIPs: ['198.51.100.23'],
  objectRef: { resource: 'secrets', apiVersion: 'v1' },
  responseStatus: { code: 200 },
  requestReceivedTimestamp: '2026-03-02T19:12:40Z',
});

const alertsOf = (stdout: string): Array<{ rule: Record<string, string>; count: number }> =>
  stdout.trim() === '' ? [] : stdout.trim().split('\n').map((line) => JSON.parse(line));

let dir: string;
beforeAll(() => {
  dir = tempDir('vigil-formats-');
});

describe('vigil detect --rules with imported formats', () => {
  it('runs only the named Falco rules: naming --rules replaces the built-in pack', async () => {
    const result = await vigil(['detect', '-o', 'ndjson', '--rules', FALCO_2023, PRIVILEGED_POD]);
    expect(result.code).toBe(1);
    const alerts = alertsOf(result.stdout);
    expect(alerts.map((alert) => alert.rule.id)).toEqual(['Create Privileged Pod']);
    expect(alerts[0]).toMatchObject({ rule: { title: 'Create Privileged Pod', format: 'falco', severity: 'medium', nativeSeverity: 'WARNING' }, count: 1 });
    expect(result.stderr).toContain('rules: 5 rule(s) cannot match any event');
  });

  it('adds the built-in pack back with --rules builtin', async () => {
    const result = await vigil(['detect', '-o', 'ndjson', '--rules', FALCO_2023, '--rules', 'builtin', PRIVILEGED_POD]);
    const formats = new Set(alertsOf(result.stdout).map((alert) => alert.rule.format));
    expect(formats).toEqual(new Set(['falco', 'vigil']));
  });

  it('shows a Sigma rule with its id and author', async () => {
    const json = await vigil(['detect', '-o', 'ndjson', '--rules', SIGMA, '-'], { stdin: `${SECRET_LIST}\n` });
    expect(alertsOf(json.stdout).map((alert) => alert.rule)).toEqual([
      { id: 'eeb3e9e1-b685-44e4-9232-6bb701f925b5', title: 'Kubernetes Secrets Enumeration', severity: 'low', format: 'sigma', author: 'Leo Tsaousis (@laripping)', nativeSeverity: 'low' },
    ]);
    const table = await vigil(['detect', '--rules', SIGMA, '-'], { stdin: `${SECRET_LIST}\n` });
    expect(table.stdout).toMatch(/^SEVERITY\s+RULE\s+RULE AUTHOR\s+ENTITY/);
    expect(table.stdout).toMatch(/^low\s+eeb3e9e1-b685-44e4-9232-6bb701f925b5\s+Leo Tsaousis \(@laripping\)\s+dave@example\.com/m);
  });
});

describe('vigil rules list --format', () => {
  it('lists the rules of one format from a mixed set, with author for Sigma', async () => {
    const result = await vigil(['rules', 'list', '--rules', SIGMA, '--rules', FALCO_2023, '--format', 'sigma', '-o', 'json']);
    expect(result.code).toBe(0);
    const rules = JSON.parse(result.stdout) as Array<{ format: string; author?: string }>;
    expect(rules).toHaveLength(16);
    expect(rules.every((rule) => rule.format === 'sigma' && typeof rule.author === 'string')).toBe(true);
    const falco = JSON.parse((await vigil(['rules', 'list', '--rules', SIGMA, '--rules', FALCO_2023, '--format', 'falco', '-o', 'json'])).stdout) as Array<{ id: string; title: string }>;
    expect(falco.find((rule) => rule.id === 'Create Privileged Pod')).toMatchObject({ title: 'Create Privileged Pod', nativeSeverity: 'WARNING' });
  });
});

describe('vigil rules lint', () => {
  it('reports rules that cannot match, with the reason, and exits 1', async () => {
    const result = await vigil(['rules', 'lint', SIGMA]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('cannot-match: ');
    expect(result.stdout).toContain('rule 597a7e84-187d-458b-9e4f-2f5a0e676711: never matches: selection_status.responseStatus.code: responseStatus.code is a number in real events');
    expect(result.stdout).toMatch(/16 rule\(s\) loaded; 1 finding\(s\) that need attention\n$/);
  });

  it('exits 0 for the built-in pack and reports a file that does not load', async () => {
    expect((await vigil(['rules', 'lint', 'builtin'])).code).toBe(0);
    const broken = join(dir, 'broken-falco.yaml');
    writeFileSync(broken, '- rule: Broken\n  desc: d\n  condition: ka.verb = create and nosuchmacro\n  output: o\n  priority: WARNING\n  source: k8s_audit\n');
    const result = await vigil(['rules', 'lint', broken]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('problem: ');
    expect(result.stdout).toContain('condition: undefined macro "nosuchmacro"');
  });
});

describe('vigil rules import', () => {
  it('copies checked rule files into a directory that vigil detect then runs', async () => {
    const into = join(dir, 'imported');
    const result = await vigil(['rules', 'import', SIGMA, FALCO_2023, '--into', into]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`imported ${join(into, 'kubernetes-audit', 'kubernetes_audit_secrets_enumeration.yml')} (sigma, 1 rule(s))`);
    expect(result.stdout).toContain(`imported ${join(into, 'k8s_audit_rules.yaml')} (falco, 43 rule(s))`);
    expect(result.stdout).toMatch(/59 rule\(s\) from 17 file\(s\) imported into /);
    expect(readFileSync(join(into, 'k8s_audit_rules.yaml'), 'utf8')).toBe(readFileSync(FALCO_2023, 'utf8'));
    const detect = await vigil(['detect', '-o', 'ndjson', '--rules', into, PRIVILEGED_POD]);
    expect(alertsOf(detect.stdout).map((alert) => alert.rule.id)).toContain('Create Privileged Pod');
  });

  it('imports nothing when a file would clash with the rules already there', async () => {
    const into = join(dir, 'clash');
    mkdirSync(into, { recursive: true });
    writeFileSync(join(into, 'mine.yaml'), 'id: eeb3e9e1-b685-44e4-9232-6bb701f925b5\ntitle: Same id as a Sigma rule\ndescription: d\nseverity: low\n');
    const result = await vigil(['rules', 'import', join(SIGMA, 'kubernetes_audit_secrets_enumeration.yml'), '--into', into]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('nothing imported');
    expect(result.stderr).toContain('id is already used');
    expect(existsSync(join(into, 'kubernetes_audit_secrets_enumeration.yml'))).toBe(false);
  });
});
