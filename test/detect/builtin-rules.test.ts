import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinRulesDir, compileRuleFiles, loadRules } from '../../src/detect/loader.js';
import { runRuleTests } from '../../src/detect/rule-tests.js';
import { SOURCE_KINDS } from '../../src/model/event.js';

const RULES = loadRules(builtinRulesDir(), 'builtin');

describe('the built-in rule pack', () => {
  it('passes every rule\'s own positive and negative tests (what `vigil rules test` runs)', () => {
    const report = runRuleTests(RULES);
    expect(report.results.filter((result) => !result.passed)).toEqual([]);
    expect(report.untested).toEqual([]);
    expect(report.results.length).toBeGreaterThanOrEqual(RULES.length * 2);
  });

  it('has at least 30 rules, each with ATT&CK ids, a description and a runbook line', () => {
    expect(RULES.length).toBeGreaterThanOrEqual(30);
    for (const { meta } of RULES) {
      expect(meta.techniques.length, meta.id).toBeGreaterThan(0);
      expect(meta.runbook, meta.id).toBeTruthy();
      expect(meta.description.length, meta.id).toBeGreaterThan(40);
    }
  });

  it('covers the techniques K05 asks for', () => {
    const techniques = new Set(RULES.flatMap((rule) => rule.meta.techniques));
    for (const technique of ['T1485', 'T1078', 'T1528', 'T1552.007', 'T1098', 'T1613', 'T1078.001', 'T1609', 'T1611', 'T1610', 'T1562.001', 'T1070', 'T1649']) {
      expect(techniques, technique).toContain(technique);
    }
  });

  it('uses every stateful operator', () => {
    const kinds = new Set(RULES.map((rule) => rule.operator.kind));
    expect([...kinds].sort()).toEqual(['absence', 'baseline', 'match', 'new_value', 'sequence', 'threshold']);
  });

  it('has an absence rule for every log source Vigil receives', () => {
    const watched = new Set(RULES.filter((rule) => rule.operator.kind === 'absence').flatMap((rule) => [...(rule.sources ?? [])]));
    expect(SOURCE_KINDS.filter((source) => source !== 'vigil.admin' && !watched.has(source))).toEqual([]);
  });
});

describe('the custom-rule example in rules/README.md', () => {
  it('compiles and passes its own tests', () => {
    const readme = readFileSync(join(builtinRulesDir(), 'README.md'), 'utf8');
    const example = /```yaml\n(# my-rules\/prod-secrets\.yaml\n[\s\S]*?)```/.exec(readme);
    expect(example).not.toBeNull();
    const rules = compileRuleFiles([{ path: 'my-rules/prod-secrets.yaml', text: example?.[1] ?? '' }]);
    const report = runRuleTests(rules);
    expect(report).toMatchObject({ failed: 0, untested: [] });
    expect(report.results).toHaveLength(2);
  });
});
