import { describe, expect, it } from 'vitest';
import { readFalcoRulesFile } from './rules-file.js';
import { mergeFalcoItems } from './rule-set.js';

const merge = (...files: string[]) => mergeFalcoItems(files.flatMap((text, i) => readFalcoRulesFile(`f${i + 1}.yaml`, text)));

const BASE = `
- list: users
  items: [alice, "bob"]
- macro: kcreate
  condition: ka.verb=create
- rule: Create By User
  desc: d
  condition: kcreate and ka.user.name in (users)
  output: created by %ka.user.name
  priority: WARNING
  source: k8s_audit
`;

describe('mergeFalcoItems', () => {
  it('keeps list items as text, as Falco reads them', () => {
    const set = merge('- list: modes\n  items: [0755, true, 2]\n');
    expect(set.lists.get('modes')?.items).toEqual(['0755', 'true', '2']);
  });

  it('appends to lists, macros (as text) and rules (condition and exceptions)', () => {
    const set = merge(
      BASE,
      `
- list: users
  items: [carol]
  append: true
- macro: kcreate
  condition: or ka.verb=update
  append: true
- rule: Create By User
  condition: and ka.target.resource=pods
  exceptions: [{name: ns, fields: ka.target.namespace, values: [kube-system]}]
  append: true
`,
    );
    expect(set.problems).toEqual([]);
    expect(set.lists.get('users')?.items).toEqual(['alice', 'bob', 'carol']);
    expect(set.macros.get('kcreate')?.condition).toBe('ka.verb=create or ka.verb=update');
    expect(set.rules.get('Create By User')).toMatchObject({ condition: 'kcreate and ka.user.name in (users) and ka.target.resource=pods', exceptions: [{ name: 'ns', values: ['kube-system'] }] });
  });

  it('replaces later definitions in place and applies override: and enabled-only items', () => {
    const set = merge(
      BASE,
      `
- macro: kcreate
  condition: ka.verb in (create, update)
- rule: Create By User
  priority: ERROR
  tags: [T1610]
  override: {priority: replace, tags: append}
- rule: Create By User
  enabled: false
`,
    );
    expect(set.problems).toEqual([]);
    expect(set.macros.get('kcreate')?.condition).toBe('ka.verb in (create, update)');
    expect(set.rules.get('Create By User')).toMatchObject({ priority: 'ERROR', tags: ['T1610'], enabled: false, source: 'k8s_audit' });
  });

  it('starts a list that is appended to before any file defines it, and says so', () => {
    const set = merge('- list: falco_privileged_images\n  items: [nginx]\n  append: true\n');
    expect(set.lists.get('falco_privileged_images')?.items).toEqual(['nginx']);
    expect(set.warnings).toEqual([expect.stringContaining('appends to list "falco_privileged_images", which no earlier file defines')]);
  });

  it('reports what Falco refuses, naming file, item and key', () => {
    const set = merge(
      `
- rule: Nothing Here
  condition: and x
  append: true
- rule: Incomplete
  desc: d
  condition: ka.verb=get
- rule: Bad Override
  priority: INFO
  override: {priority: append}
- macro: m
  condition: x
  append: true
`,
    );
    expect(set.problems).toEqual([
      'f1.yaml: item #1 (rule "Nothing Here"): appends to rule "Nothing Here", which no earlier item defines',
      'f1.yaml: item #2 (rule "Incomplete"): a rule needs output, priority',
      'f1.yaml: item #3 (rule "Bad Override"): override.priority: append is not allowed, only replace',
      'f1.yaml: item #4 (macro "m"): appends to macro "m", which no earlier item defines',
    ]);
  });

  it('defaults a rule without source to syscall and skips bare "-" items', () => {
    const set = merge('-\n- rule: Shell\n  desc: d\n  condition: proc.name=bash\n  output: o\n  priority: NOTICE\n');
    expect(set.rules.get('Shell')?.source).toBe('syscall');
  });

  it('refuses unknown keys and item kinds', () => {
    expect(() => readFalcoRulesFile('x.yaml', '- rule: R\n  conditon: a\n')).toThrow('x.yaml: item #1 (rule "R"): unknown key(s) conditon');
    expect(() => readFalcoRulesFile('x.yaml', '- alert: R\n')).toThrow(/x\.yaml: item #1: unknown item with keys alert/);
  });
});
