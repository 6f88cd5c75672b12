import { describe, expect, it } from 'vitest';
import { auditEvent } from '../../../../test/detect-formats/audit-event.js';
import { Detector } from '../../detector.js';
import { compileRuleSet, inspectRuleFiles } from '../../loader.js';
import { summaryOfOutput } from './falco-format.js';

const RULES = `
- required_engine_version: 15
- required_plugin_versions:
    - name: k8saudit
      version: 0.6.0
- rule: Create Pod
  desc: >
    A pod is created.
  condition: ka.verb=create and ka.target.resource=pods
  output: Pod created (user=%ka.user.name images=%ka.req.pod.containers.image uri={%ka.uri} time=%evt.time)
  priority: notice
  source: k8s_audit
  tags: [k8s, T1610, mitre_execution]
- rule: Shell In Container
  desc: a syscall rule
  condition: proc.name=bash
  output: shell
  priority: WARNING
- rule: Another Syscall Rule
  desc: d
  condition: evt.type=open
  output: o
  priority: INFO
  source: syscall
`;

describe('Falco rules files', () => {
  it('load k8s_audit rules with the name as id and title, and skip other sources with a count', () => {
    const { rules, notes } = compileRuleSet([{ path: 'rules.yaml', text: RULES }]);
    expect(rules).toHaveLength(1);
    expect(rules[0].meta).toMatchObject({ id: 'Create Pod', title: 'Create Pod', description: 'A pod is created.', severity: 'low', nativeSeverity: 'NOTICE', format: 'falco', techniques: ['T1610'] });
    expect(notes).toEqual([{ kind: 'skipped', origin: 'rules.yaml', message: '2 rule(s) of source "syscall" skipped: Vigil runs Falco rules of source k8s_audit only' }]);
  });

  it('produce one detection per matching event, its output as the summary', () => {
    const { rules } = compileRuleSet([{ path: 'rules.yaml', text: RULES }]);
    const detector = new Detector(rules);
    detector.process(auditEvent({ auditID: 'a-1' }));
    detector.process(auditEvent({ auditID: 'a-2', requestReceivedTimestamp: '2026-03-02T10:00:05Z' }));
    detector.process(auditEvent({ auditID: 'a-3', verb: 'get' }));
    const alerts = detector.finish();
    expect(alerts.reduce((sum, alert) => sum + alert.count, 0)).toBe(2);
    expect(alerts[0].summary).toBe('Pod created (user=alice@example.com images=nginx:1.25,registry.example.com:5000/envoy@sha256:abc uri=(/api/v1/namespaces/shop/pods) time=<NA>)');
  });

  it('refuse an unknown priority or field, naming file, item and key', () => {
    const report = inspectRuleFiles([{ path: 'bad.yaml', text: '- rule: R\n  desc: d\n  condition: ka.nosuch=1\n  output: o\n  priority: LOUD\n  source: k8s_audit\n- rule: S\n  desc: d\n  condition: ka.verb=get\n  output: o\n  priority: LOUD\n  source: k8s_audit\n' }]);
    expect(report.problems).toEqual([
      'bad.yaml: item #1 (rule "R"): priority: unknown priority "LOUD"; use EMERGENCY, ALERT, CRITICAL, ERROR, WARNING, NOTICE, INFORMATIONAL or DEBUG',
      'bad.yaml: item #2 (rule "S"): priority: unknown priority "LOUD"; use EMERGENCY, ALERT, CRITICAL, ERROR, WARNING, NOTICE, INFORMATIONAL or DEBUG',
    ]);
    const unknownField = inspectRuleFiles([{ path: 'f.yaml', text: '- rule: R\n  desc: d\n  condition: ka.nosuch=1\n  output: o\n  priority: INFO\n  source: k8s_audit\n' }]);
    expect(unknownField.problems[0]).toMatch(/^f\.yaml: item #1 \(rule "R"\): condition: unknown field "ka\.nosuch"/);
  });

  it('turn output fields into summary placeholders', () => {
    expect(summaryOfOutput('user=%ka.user.name cmd=%ka.uri.param[command].')).toBe('user={ka.user.name} cmd={ka.uri.param[command]}.');
  });
});
