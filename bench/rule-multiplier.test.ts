import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileRuleFiles } from '../src/detect/loader.js';
import { countRules, multiplyRules, yamlFilesUnder } from './rule-multiplier.js';

const scratch = mkdtempSync(join(tmpdir(), 'vigil-rule-multiplier-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const PACK = `# shared lists
lists:
  admins: [alice, bob]
templates:
  - &base {kind: Event, verb: delete}
rules:
  - id: first
    title: First
    tests:
      positive: [{<<: *base, user: alice}]
  - id: second
    title: Second
`;

describe('multiplyRules', () => {
  it('copies every rule with a new id, keeps named lists once and anchors as written', () => {
    const source = join(scratch, 'source');
    mkdirSync(join(source, 'nested'), { recursive: true });
    writeFileSync(join(source, 'pack.yaml'), PACK);
    writeFileSync(join(source, 'nested', 'single.yml'), 'id: lonely\ntitle: Lonely\n');
    writeFileSync(join(source, 'notes.txt'), 'not a rule');
    const target = join(scratch, 'target');

    expect(multiplyRules(source, target, 3)).toEqual({ files: 6, rules: 9 });
    expect(readdirSync(target).sort()).toEqual(['x1--nested--single.yml', 'x1--pack.yaml', 'x2--nested--single.yml', 'x2--pack.yaml', 'x3--nested--single.yml', 'x3--pack.yaml']);
    const first = readFileSync(join(target, 'x1--pack.yaml'), 'utf8');
    expect(first).toContain('# shared lists');
    expect(first).toContain('&base');
    const parsedFirst = parse(first, { merge: true }) as { lists?: unknown; rules: Array<{ id: string; tests?: { positive: unknown[] } }> };
    expect(parsedFirst.lists).toEqual({ admins: ['alice', 'bob'] });
    expect(parsedFirst.rules.map((rule) => rule.id)).toEqual(['first-x1', 'second-x1']);
    expect(parsedFirst.rules[0].tests?.positive[0]).toEqual({ kind: 'Event', verb: 'delete', user: 'alice' });
    const third = parse(readFileSync(join(target, 'x3--pack.yaml'), 'utf8'), { merge: true }) as { lists?: unknown; rules: Array<{ id: string }> };
    expect(third.lists).toBeUndefined();
    expect(third.rules.map((rule) => rule.id)).toEqual(['first-x3', 'second-x3']);
    expect(parse(readFileSync(join(target, 'x2--nested--single.yml'), 'utf8'))).toEqual({ id: 'lonely-x2', title: 'Lonely' });
  });

  it('turns the built-in pack into a larger set the detection loader accepts', () => {
    const rulesDir = resolve(import.meta.dirname, '..', 'rules');
    const packSize = countRules(rulesDir);
    expect(packSize).toBeGreaterThan(0);
    const target = join(scratch, 'builtin-x2');
    expect(multiplyRules(rulesDir, target, 2).rules).toBe(2 * packSize);
    const files = yamlFilesUnder(target).map((path) => ({ path, text: readFileSync(path, 'utf8') }));
    expect(compileRuleFiles(files)).toHaveLength(2 * packSize);
  });
});
