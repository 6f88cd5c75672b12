import { describe, expect, it } from 'vitest';
import { FalcoSyntaxError, parseFalcoCondition } from './condition-parser.js';

describe('parseFalcoCondition', () => {
  it('binds not tighter than and, and tighter than or', () => {
    expect(parseFalcoCondition('a or b and not c')).toEqual({
      type: 'or',
      children: [
        { type: 'macro', name: 'a' },
        { type: 'and', children: [{ type: 'macro', name: 'b' }, { type: 'not', child: { type: 'macro', name: 'c' } }] },
      ],
    });
  });

  it('reads checks with arguments, bare and quoted values, lists and exists', () => {
    expect(parseFalcoCondition('ka.verb=create')).toEqual({ type: 'check', field: 'ka.verb', operator: '=', values: ['create'] });
    expect(parseFalcoCondition('(ka.target.name startswith "system:")')).toMatchObject({ operator: 'startswith', values: ['system:'] });
    expect(parseFalcoCondition('ka.uri startswith /healthz?')).toMatchObject({ values: ['/healthz?'] });
    expect(parseFalcoCondition("ka.target.name in (system:coredns, 'a b', allowed_list)")).toMatchObject({ operator: 'in', values: ['system:coredns', 'a b', 'allowed_list'] });
    expect(parseFalcoCondition('ka.req.role.rules.verbs intersects ("*")')).toMatchObject({ operator: 'intersects', values: ['*'] });
    expect(parseFalcoCondition('jevt.value[/annotations/authorization.k8s.io~1decision] exists')).toEqual({
      type: 'check',
      field: 'jevt.value',
      arg: '/annotations/authorization.k8s.io~1decision',
      operator: 'exists',
      values: [],
    });
    expect(parseFalcoCondition('ka.uri.param[command] icontains "SH"')).toMatchObject({ arg: 'command', operator: 'icontains', values: ['SH'] });
    expect(parseFalcoCondition('x in ()')).toMatchObject({ values: [] });
  });

  it('does not take a word that starts with a keyword for the keyword', () => {
    expect(parseFalcoCondition('android or notary')).toEqual({ type: 'or', children: [{ type: 'macro', name: 'android' }, { type: 'macro', name: 'notary' }] });
  });

  it('says where a condition is broken', () => {
    expect(() => parseFalcoCondition('ka.verb = create and (pod')).toThrow(FalcoSyntaxError);
    expect(() => parseFalcoCondition('ka.verb = create and (pod')).toThrow(/expected "\)" at character 26/);
    expect(() => parseFalcoCondition('ka.verb[x] and pod')).toThrow(/expected an operator after the field ka.verb\[x\]/);
    expect(() => parseFalcoCondition('ka.verb = "open')).toThrow(/unclosed "/);
  });
});
