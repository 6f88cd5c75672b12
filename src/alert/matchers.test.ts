import { describe, expect, it } from 'vitest';
import { alertLabels } from './labels.js';
import { MatcherError, parseMatcher } from './matchers.js';

const labels = alertLabels({
  rule: { id: 'k8s-exec-into-pod', title: 'Exec into a pod', severity: 'high', format: 'vigil' },
  techniques: ['T1609', 'T1059'],
  entity: { cluster: 'prod', namespace: 'payments', user: 'bob@example.com' },
});

const test = (text: string) => parseMatcher(text).test(labels);

describe('matchers', () => {
  it('compare values, whole-value regular expressions and severities', () => {
    expect(test('rule=k8s-exec-into-pod')).toBe(true);
    expect(test('rule!=k8s-exec-into-pod')).toBe(false);
    expect(test('namespace=~"pay.*"')).toBe(true);
    expect(test('namespace=~pay')).toBe(false);
    expect(test('namespace!~"kube-.*"')).toBe(true);
    expect(test('severity>=high')).toBe(true);
    expect(test('severity>high')).toBe(false);
    expect(test('severity<critical')).toBe(true);
    expect(test('severity<=medium')).toBe(false);
  });

  it('treat a label with several values as matching when any value does', () => {
    expect(test('technique=T1059')).toBe(true);
    expect(test('technique!=T1059')).toBe(false);
    expect(test('technique=~"T16.*"')).toBe(true);
  });

  it('match a missing label as empty', () => {
    expect(test('sourceIP=""')).toBe(true);
    expect(test('sourceIP!=""')).toBe(false);
    expect(test('pod=~".+"')).toBe(false);
  });

  it('reject what they cannot mean, saying why', () => {
    expect(() => parseMatcher('severity>=urgent')).toThrow(/"urgent" is not a severity/);
    expect(() => parseMatcher('namespace>=a')).toThrow(/compares severities only/);
    expect(() => parseMatcher('colour=red')).toThrow(/unknown label "colour"/);
    expect(() => parseMatcher('rule=~"("')).toThrow(/invalid regular expression/);
    expect(() => parseMatcher('just words')).toThrow(MatcherError);
  });
});
