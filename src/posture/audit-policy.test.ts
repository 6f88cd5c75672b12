import { describe, expect, it } from 'vitest';
import { parseAuditPolicy, PolicyError } from './audit-policy.js';

const header = 'apiVersion: audit.k8s.io/v1\nkind: Policy\n';

function problemsOf(text: string): string[] {
  try {
    parseAuditPolicy(text, 'policy.yaml');
  } catch (error) {
    if (error instanceof PolicyError) return error.problems;
    throw error;
  }
  return [];
}

describe('parseAuditPolicy', () => {
  it('reads rules, stages and the line of each rule', () => {
    const loaded = parseAuditPolicy(`${header}omitStages: [RequestReceived]\nrules:\n  - level: None\n    users: [system:kube-proxy]\n\n  - level: Metadata\n`, 'p.yaml');
    expect(loaded.policy).toEqual({ omitStages: ['RequestReceived'], omitManagedFields: undefined, rules: [{ level: 'None', users: ['system:kube-proxy'] }, { level: 'Metadata' }] });
    expect(loaded.ruleLines).toEqual([5, 8]);
    expect(loaded.file).toBe('p.yaml');
  });

  it('defaults a missing group to the core group ""', () => {
    const { policy } = parseAuditPolicy(`${header}rules:\n  - level: Metadata\n    resources: [{resources: [pods]}]\n`);
    expect(policy.rules[0].resources).toEqual([{ group: '', resources: ['pods'] }]);
  });

  it.each([
    ['no rules', `${header}rules: []\n`, /rules: a policy needs at least one rule/],
    ['a removed apiVersion', 'apiVersion: audit.k8s.io/v1beta1\nkind: Policy\nrules: [{level: Metadata}]\n', /apiVersion must be audit.k8s.io\/v1/],
    ['an unknown level', `${header}rules: [{level: Everything}]\n`, /rules.0.level/],
    ['a misspelt key', `${header}rules: [{level: Metadata, resource: [{group: ""}]}]\n`, /rules.0: Unrecognized key: "resource"/],
    ['an unknown stage', `${header}omitStages: [ResponseDone]\nrules: [{level: Metadata}]\n`, /omitStages.0/],
    ['a wildcard group', `${header}rules: [{level: Metadata, resources: [{group: "*"}]}]\n`, /wildcards are not allowed/],
    ['resources and non-resource URLs in one rule', `${header}rules: [{level: Metadata, resources: [{group: ""}], nonResourceURLs: [/healthz]}]\n`, /both regular resources and non-resource URLs/],
    ['a namespaces rule with non-resource URLs', `${header}rules: [{level: Metadata, namespaces: [default], nonResourceURLs: [/healthz]}]\n`, /both regular resources/],
    ['a URL without leading slash', `${header}rules: [{level: Metadata, nonResourceURLs: [healthz]}]\n`, /must begin with "\/"/],
    ['a wildcard inside a URL', `${header}rules: [{level: Metadata, nonResourceURLs: ["/api/*/x"]}]\n`, /only allowed as the final character/],
    ['resourceNames without resources', `${header}rules: [{level: Metadata, resources: [{group: "", resourceNames: [x]}]}]\n`, /resourceNames requires resources/],
    ['not YAML', `${header}rules: [\n`, /not valid YAML/],
  ])('refuses %s, naming the key', (_name, text, expected) => {
    expect(problemsOf(text).join('\n')).toMatch(expected);
  });

  it('accepts "*" alone and a trailing * in URLs', () => {
    expect(problemsOf(`${header}rules: [{level: None, nonResourceURLs: ["*", "/healthz*"]}]\n`)).toEqual([]);
  });

  it('names the file in the error message', () => {
    expect(() => parseAuditPolicy(`${header}rules: []\n`, 'my-policy.yaml')).toThrow(/^my-policy.yaml: not a valid audit policy/);
  });
});
