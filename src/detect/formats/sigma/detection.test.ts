import { describe, expect, it } from 'vitest';
import { auditEvent } from '../../../../test/detect-formats/audit-event.js';
import type { VigilEvent } from '../../../model/event.js';
import { inspectRuleFiles } from '../../loader.js';

function sigmaRule(detection: string, logsource = 'product: kubernetes\n  service: audit'): string {
  return `title: Test rule\nid: 11111111-2222-4333-8444-555555555555\nauthor: Vigil tests\nlevel: high\nlogsource:\n  ${logsource}\ndetection:\n${detection}\n`;
}

function load(detection: string, logsource?: string) {
  const report = inspectRuleFiles([{ path: 'rule.yml', text: sigmaRule(detection, logsource) }]);
  if (report.problems.length > 0) throw new Error(report.problems.join('\n'));
  return report;
}

function matches(detection: string, event: VigilEvent = auditEvent()): boolean {
  return load(detection).rules[0].condition.test(event);
}

describe('Sigma detection semantics', () => {
  it('AND the fields of a map, OR the values of a list, case-insensitively', () => {
    expect(matches('  selection:\n    verb: CREATE\n    objectRef.resource: [deployments, pods]\n  condition: selection')).toBe(true);
    expect(matches('  selection:\n    verb: create\n    objectRef.resource: deployments\n  condition: selection')).toBe(false);
    expect(matches('  selection:\n    - verb: delete\n    - objectRef.namespace: shop\n  condition: selection')).toBe(true);
  });

  it('compare numbers as text, with wildcards, and |all as AND over the values', () => {
    expect(matches('  selection:\n    responseStatus.code: [401, 201]\n  condition: selection')).toBe(true);
    expect(matches("  selection:\n    responseStatus.code: '2*'\n  condition: selection")).toBe(true);
    expect(matches('  selection:\n    requestURI|contains|all: [/namespaces/, /pods]\n  condition: selection')).toBe(true);
    expect(matches('  selection:\n    requestURI|contains|all: [/namespaces/, /secrets]\n  condition: selection')).toBe(false);
  });

  it('map backend names onto the audit event: apiGroup, hostPath, capabilities', () => {
    expect(matches("  selection:\n    hostPath: '*'\n  condition: selection")).toBe(true);
    expect(matches("  selection:\n    capabilities: 'net_admin'\n  condition: selection")).toBe(true);
    expect(matches('  selection:\n    apiGroup: apps\n  condition: selection', auditEvent({ objectRef: { resource: 'deployments', apiGroup: 'apps' } }))).toBe(true);
  });

  it('handle null, exists, neq, re (case-sensitive unless |i), cidr and numeric comparisons', () => {
    expect(matches('  selection:\n    objectRef.subresource: null\n  condition: selection')).toBe(true);
    expect(matches('  selection:\n    objectRef.subresource|exists: true\n  condition: selection')).toBe(false);
    expect(matches('  selection:\n    verb|neq: get\n  condition: selection')).toBe(true);
    expect(matches("  selection:\n    userAgent|re: '^KUBECTL/'\n  condition: selection")).toBe(false);
    expect(matches("  selection:\n    userAgent|re|i: '^KUBECTL/'\n  condition: selection")).toBe(true);
    expect(matches("  selection:\n    sourceIPs|cidr: '10.20.0.0/16'\n  condition: selection")).toBe(true);
    expect(matches('  selection:\n    responseStatus.code|gte: 400\n  condition: selection')).toBe(false);
  });

  it('compare one field with another with |fieldref', () => {
    const event = auditEvent({ impersonatedUser: { username: 'ALICE@example.com' } });
    expect(matches('  selection:\n    user.username|fieldref: impersonatedUser.username\n  condition: selection', event)).toBe(true);
    expect(matches('  selection:\n    user.username|fieldref: impersonatedUser.username\n  condition: selection')).toBe(false);
  });

  it('search keywords anywhere in the record', () => {
    expect(matches("  keywords:\n    - 'docker.sock'\n  condition: keywords")).toBe(true);
    expect(matches("  keywords:\n    - 'kubelet.sock'\n  condition: keywords")).toBe(false);
  });

  it('combine identifiers with not, 1 of and all of', () => {
    const detection = '  sel_verb:\n    verb: create\n  sel_ns:\n    objectRef.namespace: kube-system\n  filter:\n    user.username|startswith: "system:"\n';
    expect(matches(`${detection}  condition: sel_verb and not filter`)).toBe(true);
    expect(matches(`${detection}  condition: all of sel_*`)).toBe(false);
    expect(matches(`${detection}  condition: 1 of sel_*`)).toBe(true);
  });
});

describe('rules that cannot match', () => {
  it('are loaded and reported with the reason: unknown field, impossible value, unknown log source', () => {
    const unknown = load("  selection:\n    Image|endswith: '\\\\cmd.exe'\n  condition: selection");
    expect(unknown.notes).toEqual([expect.objectContaining({ kind: 'cannot-match', message: expect.stringContaining('"Image" is not a field of product kubernetes, service audit events') })]);
    const typed = load("  selection:\n    responseStatus.code: 'ALLOW'\n  condition: selection");
    expect(typed.notes[0].message).toContain('responseStatus.code is a number in real events; "ALLOW" never equals one');
    const windows = load('  selection:\n    EventID: 4625\n  condition: selection', 'product: windows\n  service: security');
    expect(windows.rules).toHaveLength(1);
    expect(windows.notes[0].message).toMatch(/^logsource product windows, service security is not a log Vigil reads/);
  });

  it('warn when only a part of the rule can never match', () => {
    const report = load('  a:\n    verb: create\n  b:\n    NoSuchField: x\n  condition: a or b');
    expect(report.notes).toEqual([expect.objectContaining({ kind: 'warning', message: expect.stringContaining('part of the rule can never match: b.NoSuchField') })]);
    expect(report.rules[0].condition.test(auditEvent())).toBe(true);
  });

  it('an unknown field only "exists: false" or null can ever satisfy', () => {
    expect(matches('  selection:\n    NoSuchField: null\n  condition: selection')).toBe(true);
    expect(matches('  selection:\n    NoSuchField|exists: false\n  condition: selection')).toBe(true);
  });
});

describe('mistakes', () => {
  it('are refused with file, rule and key', () => {
    const report = inspectRuleFiles([{ path: 'bad.yml', text: sigmaRule('  selection:\n    verb|contain: x\n  condition: selection and other') }]);
    expect(report.problems).toEqual(['bad.yml: rule 11111111-2222-4333-8444-555555555555: selection.verb|contain: unknown modifier |contain']);
  });
});
