import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectRuleFiles, loadRuleSets } from '../../src/detect/loader.js';
import { tempDir } from '../helpers/cli.js';

const VIGIL = 'id: vigil-rule\ntitle: Vigil rule\ndescription: d\nseverity: low\nmatch: {verb: delete}\n';
const SIGMA = 'title: Sigma rule\nid: 6f9c1a2b-0000-4000-8000-000000000001\nauthor: someone\nlogsource: {product: kubernetes, service: audit}\ndetection:\n  selection: {verb: delete}\n  condition: selection\n';
const FALCO = '- list: admins\n  items: [alice]\n- rule: Falco Rule\n  desc: d\n  condition: ka.verb=delete and not ka.user.name in (admins)\n  output: o\n  priority: WARNING\n  source: k8s_audit\n';

describe('loading rules of every format', () => {
  it('recognises each file\'s format from its content, in one directory', () => {
    const dir = tempDir('vigil-mixed-');
    mkdirSync(join(dir, 'falco'));
    writeFileSync(join(dir, 'mine.yaml'), VIGIL);
    writeFileSync(join(dir, 'sigma.yml'), SIGMA);
    writeFileSync(join(dir, 'falco', 'rules.yaml'), FALCO);
    const formats = Object.fromEntries(loadRuleSets([dir]).rules.map((rule) => [rule.meta.id, rule.meta.format]));
    expect(formats).toEqual({ 'vigil-rule': 'vigil', '6f9c1a2b-0000-4000-8000-000000000001': 'sigma', 'Falco Rule': 'falco' });
  });

  it('lets a later --rules location override Falco lists of an earlier one', () => {
    const dir = tempDir('vigil-falco-order-');
    writeFileSync(join(dir, 'base.yaml'), FALCO);
    writeFileSync(join(dir, 'local.yaml'), '- list: admins\n  items: [bob]\n  append: true\n');
    const { rules } = loadRuleSets([join(dir, 'base.yaml'), join(dir, 'local.yaml')]);
    expect(rules[0].condition.signature).toContain('["alice","bob"]');
  });

  it('refuses the same id in two formats and a Vigil file with several documents', () => {
    const falcoNamedLikeVigil = FALCO.replace('Falco Rule', 'vigil-rule');
    const report = inspectRuleFiles([
      { path: 'a.yaml', text: VIGIL },
      { path: 'b.yaml', text: falcoNamedLikeVigil },
      { path: 'c.yaml', text: `${VIGIL}---\n${VIGIL}` },
    ]);
    expect(report.problems).toEqual(['c.yaml: holds 2 YAML documents; a Vigil rule file holds one (Sigma files may hold several)', 'b.yaml: rule vigil-rule: id is already used in a.yaml']);
  });
});
