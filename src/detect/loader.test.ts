import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinRulesDir, compileRuleFiles, loadRules, RuleLoadError } from './loader.js';

function problemsOf(files: Array<{ path: string; text: string }>): string[] {
  try {
    compileRuleFiles(files);
  } catch (error) {
    if (error instanceof RuleLoadError) return error.problems;
    throw error;
  }
  throw new Error('expected the rules to be refused');
}

const VALID = 'id: ok\ntitle: t\ndescription: d\nseverity: low\n';

describe('compileRuleFiles', () => {
  it('reads a file of lists and rules, a list of rules, or a single rule', () => {
    const rules = compileRuleFiles([
      { path: 'a.yaml', text: `lists:\n  admins: [root]\nrules:\n  - id: a\n    title: t\n    description: d\n    severity: low\n    match: {user: {list: admins}}\n` },
      { path: 'b.yaml', text: `- id: b\n  title: t\n  description: d\n  severity: low\n` },
      { path: 'c.yaml', text: VALID },
      { path: 'empty.yaml', text: '# nothing yet\n' },
    ]);
    expect(rules.map((rule) => [rule.meta.id, rule.meta.origin])).toEqual([['a', 'a.yaml'], ['b', 'b.yaml'], ['ok', 'c.yaml']]);
  });

  it('names the file, the rule id and the key of every problem at once', () => {
    const problems = problemsOf([
      { path: 'rules/x.yaml', text: 'rules:\n  - id: bad-severity\n    title: t\n    description: d\n    severity: urgent\n  - id: bad-match\n    title: t\n    description: d\n    severity: low\n    match: {verb|eq: get, any: [{nope|foo: 1}]}\n  - title: no id\n' },
      { path: 'rules/y.yaml', text: 'rules:\n  - id: bad-threshold\n    title: t\n    description: d\n    severity: high\n    threshold: {count: 5, within: 10 minutes}\n' },
    ]);
    expect(problems).toEqual([
      expect.stringMatching(/^rules\/x\.yaml: rule bad-severity: severity: Invalid option/),
      expect.stringMatching(/^rules\/x\.yaml: rule bad-match: match\.any\[0\]\.nope\|foo: unknown or repeated modifier "foo"/),
      expect.stringMatching(/^rules\/x\.yaml: rule #3 \(no id\): id: /),
      expect.stringMatching(/^rules\/y\.yaml: rule bad-threshold: threshold\.within: invalid duration "10 minutes"/),
    ]);
    expect(problemsOf([{ path: 'z.yaml', text: `${VALID}threshold: {count: 5, within: 10m}\n` }])).toEqual([
      expect.stringMatching(/^z\.yaml: rule ok: group_by: threshold needs group_by/),
    ]);
  });

  it('refuses duplicate ids, duplicate lists, two operators, unknown keys and broken YAML', () => {
    expect(problemsOf([{ path: 'a.yaml', text: VALID }, { path: 'b.yaml', text: VALID }])).toEqual(['b.yaml: rule ok: id is already used in a.yaml']);
    expect(problemsOf([{ path: 'a.yaml', text: 'lists: {x: [1]}' }, { path: 'b.yaml', text: 'lists: {x: [2]}' }])).toEqual(['b.yaml: list "x" is already defined in a.yaml']);
    expect(problemsOf([{ path: 'a.yaml', text: `${VALID}threshold: {count: 2, within: 1m}\nabsence: {after: 1m}\ngroup_by: [user]\n` }])[0]).toMatch(/absence: a rule has at most one stateful operator/);
    expect(problemsOf([{ path: 'a.yaml', text: `${VALID}severty: high\n` }])[0]).toMatch(/Unrecognized key.*severty/);
    expect(problemsOf([{ path: 'a.yaml', text: 'rules: [\n' }])[0]).toMatch(/^a\.yaml: not valid YAML/);
  });

  it('accepts YAML anchors and merge keys for test events', () => {
    const [rule] = compileRuleFiles([
      {
        path: 'a.yaml',
        text: `templates:\n  - &e {kind: Event, auditID: x, stage: ResponseComplete, verb: get, requestReceivedTimestamp: "2026-03-02T10:00:00Z"}\nrules:\n  - id: r\n    title: t\n    description: d\n    severity: low\n    tests:\n      positive: [{name: p, events: [{<<: *e, verb: delete}]}]\n`,
      },
    ]);
    expect(rule.tests.positive[0].events[0]).toMatchObject({ verb: 'delete', auditID: 'x' });
  });
});

describe('loadRules', () => {
  it('loads every YAML file under a directory, naming files relative to the label', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-rules-'));
    mkdirSync(join(dir, 'k8s'));
    writeFileSync(join(dir, 'k8s', 'one.yaml'), VALID);
    writeFileSync(join(dir, 'notes.txt'), 'not a rule');
    expect(loadRules(dir, 'mine').map((rule) => rule.meta.origin)).toEqual(['mine/k8s/one.yaml']);
  });

  it('explains a missing or empty location', () => {
    expect(() => loadRules('/nonexistent/rules')).toThrow(/no such rules file or directory/);
    expect(() => loadRules(mkdtempSync(join(tmpdir(), 'vigil-empty-')))).toThrow(/no \.yaml or \.yml rule files/);
  });

  it('finds the built-in pack', () => {
    expect(loadRules(builtinRulesDir(), 'builtin').length).toBeGreaterThanOrEqual(30);
  });
});
