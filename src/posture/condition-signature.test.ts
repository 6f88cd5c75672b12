import { describe, expect, it } from 'vitest';
import { compileCondition } from '../detect/condition.js';
import { builtinRulesDir, loadRules } from '../detect/loader.js';
import { parseConditionSignature, SignatureError, toTerms, type ConditionNode, type Term } from './condition-signature.js';

const signatureOf = (condition: unknown): string => compileCondition(condition, new Map([['people', ['a', 'b']]]), 'test').signature;

/** A term as readable strings: `!field|op=values`. */
const show = (terms: Term[]): string[][] =>
  terms.map((term) => term.map(({ test, negated }) => `${negated ? '!' : ''}${test.field}|${test.operator}=${test.values.join(',')}`).sort());

describe('parseConditionSignature', () => {
  it('reads field tests with operators, flags and expanded lists', () => {
    const node = parseConditionSignature(signatureOf({ 'user|wildcard|cased': 'system:*', verb: ['get', 'list'], user: { list: 'people' }, 'code|gte': 400 }));
    expect(node.kind).toBe('all');
    const parts = (node as Extract<ConditionNode, { kind: 'all' }>).parts;
    expect(parts).toContainEqual({ kind: 'field', field: 'user.name', operator: 'wildcard', flags: ['cased'], values: ['system:*'] });
    expect(parts).toContainEqual({ kind: 'field', field: 'event.action', operator: 'eq', flags: [], values: ['get', 'list'] });
    expect(parts).toContainEqual({ kind: 'field', field: 'user.name', operator: 'eq', flags: [], values: ['a', 'b'] });
    expect(parts).toContainEqual({ kind: 'field', field: 'http.response.status_code', operator: 'gte', flags: [], values: [400] });
  });

  it('reads exists tests, raw paths and constants holding the signature syntax', () => {
    const node = parseConditionSignature(signatureOf({ 'subresource|exists': false, 'requestObject.data|contains': ['a,b)', 'x"y]', 'all('] }));
    const parts = (node as Extract<ConditionNode, { kind: 'all' }>).parts;
    expect(parts).toContainEqual({ kind: 'field', field: 'vigil.k8s.subresource', operator: 'exists', flags: [], values: [false] });
    expect(parts).toContainEqual({ kind: 'field', field: 'requestObject.data', operator: 'contains', flags: [], values: ['a,b)', 'x"y]', 'all('] });
  });

  it('reads nested any/not and an empty condition', () => {
    expect(parseConditionSignature(signatureOf(undefined))).toEqual({ kind: 'true' });
    const node = parseConditionSignature(signatureOf({ not: { any: [{ actor: 'node' }, { verb: 'get' }] } }));
    expect(node).toEqual({
      kind: 'not',
      part: {
        kind: 'any',
        parts: [
          { kind: 'field', field: 'event.action', operator: 'eq', flags: [], values: ['get'] },
          { kind: 'field', field: 'vigil.actor.kind', operator: 'eq', flags: [], values: ['node'] },
        ],
      },
    });
  });

  it('refuses text it does not understand, quoting it', () => {
    expect(() => parseConditionSignature('all(verb|eq|=["get"]')).toThrow(SignatureError);
    expect(() => parseConditionSignature('nonsense')).toThrow(/cannot read rule condition signature/);
  });

  it('reads the condition of every built-in rule', () => {
    const rules = loadRules(builtinRulesDir(), 'builtin');
    expect(rules.length).toBeGreaterThan(40);
    for (const rule of rules) expect(() => parseConditionSignature(rule.condition.signature), rule.meta.id).not.toThrow();
  });
});

describe('imported rules: Sigma and Falco leaves', () => {
  const modifiers = (extra: Record<string, unknown> = {}) =>
    JSON.stringify({ transforms: [], fieldref: false, all: false, cased: false, neq: false, regexFlags: '', unsupported: [], ...extra });

  it('maps Sigma audit paths and modifiers onto Vigil fields and operators', () => {
    const node = parseConditionSignature(
      `all(sigma:objectRef.resource|${modifiers()}="secrets",sigma:verb|${modifiers({ neq: true })}="get",sigma:user.username|${modifiers()}="system:*",sigma:requestObject.spec.hostPID|${modifiers({ matcher: 'contains' })}=true,sigma:objectRef.subresource|exists=false)`,
    );
    expect(node).toEqual({
      kind: 'all',
      parts: [
        { kind: 'field', field: 'orchestrator.resource.type', operator: 'eq', flags: ['i'], values: ['secrets'] },
        { kind: 'not', part: { kind: 'field', field: 'event.action', operator: 'eq', flags: ['i'], values: ['get'] } },
        { kind: 'field', field: 'user.name', operator: 'wildcard', flags: [], values: ['system:*'] },
        { kind: 'field', field: 'requestObject.spec.hostPID', operator: 'contains', flags: [], values: [true] },
        { kind: 'field', field: 'vigil.k8s.subresource', operator: 'exists', flags: [], values: [false] },
      ],
    });
  });

  it('maps Falco ka.* and jevt.value fields, list operators and !=', () => {
    const node = parseConditionSignature(
      'all(falco:ka.verb in ["create","update"],falco:jevt.value[/stage] in ["ResponseComplete"],falco:ka.target.subresource exists [],not(falco:ka.user.name != ["x y"]),falco:ka.req.pod.host_pid intersects ["true"],falco:ka.user.groups in ["system:masters"])',
    );
    expect(node).toEqual({
      kind: 'all',
      parts: [
        { kind: 'field', field: 'event.action', operator: 'eq', flags: [], values: ['create', 'update'] },
        { kind: 'field', field: 'vigil.k8s.stage', operator: 'eq', flags: [], values: ['ResponseComplete'] },
        { kind: 'field', field: 'vigil.k8s.subresource', operator: 'exists', flags: [], values: [true] },
        { kind: 'not', part: { kind: 'not', part: { kind: 'field', field: 'user.name', operator: 'eq', flags: [], values: ['x y'] } } },
        { kind: 'field', field: 'requestObject via ka.req.pod.host_pid', operator: 'eq', flags: [], values: ['true'] },
        { kind: 'field', field: 'user.group.name', operator: 'unknown', flags: [], values: ['system:masters'] },
      ],
    });
  });

  it('reads a condition that can never match', () => {
    expect(parseConditionSignature('false')).toEqual({ kind: 'false' });
    expect(toTerms({ kind: 'false' })).toEqual([]);
  });
});

describe('toTerms (disjunctive normal form)', () => {
  it('splits any into terms and pushes not down to the field tests', () => {
    const node = parseConditionSignature(signatureOf({ verb: 'delete', any: [{ resource: 'pods' }, { resource: 'secrets' }], not: { any: [{ actor: 'node' }, { ns: 'x' }] } }));
    expect(show(toTerms(node))).toEqual([
      ['!orchestrator.namespace|eq=x', '!vigil.actor.kind|eq=node', 'event.action|eq=delete', 'orchestrator.resource.type|eq=pods'],
      ['!orchestrator.namespace|eq=x', '!vigil.actor.kind|eq=node', 'event.action|eq=delete', 'orchestrator.resource.type|eq=secrets'],
    ]);
  });

  it('turns a negated all into alternatives (De Morgan)', () => {
    const node = parseConditionSignature(signatureOf({ not: { all: [{ resource: 'daemonsets' }, { verb: 'delete' }] } }));
    expect(show(toTerms(node)).sort()).toEqual([['!event.action|eq=delete'], ['!orchestrator.resource.type|eq=daemonsets']]);
  });

  it('an empty condition is one empty term; its negation has none', () => {
    expect(toTerms({ kind: 'true' })).toEqual([[]]);
    expect(toTerms({ kind: 'not', part: { kind: 'true' } })).toEqual([]);
  });
});
