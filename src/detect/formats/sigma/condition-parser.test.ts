import { describe, expect, it } from 'vitest';
import { identifiersMatching, parseSigmaCondition } from './condition-parser.js';

describe('parseSigmaCondition', () => {
  it('binds or loosest, then and, then not, then "x of"', () => {
    expect(parseSigmaCondition('selection and not filter or 1 of keywords*')).toEqual({
      type: 'or',
      children: [
        { type: 'and', children: [{ type: 'identifier', name: 'selection' }, { type: 'not', child: { type: 'identifier', name: 'filter' } }] },
        { type: 'of', count: 1, pattern: 'keywords*' },
      ],
    });
    expect(parseSigmaCondition('all of them')).toEqual({ type: 'of', count: 'all', pattern: 'them' });
    expect(parseSigmaCondition('(a or b) and 2 of sel_*')).toMatchObject({ type: 'and', children: [{ type: 'or' }, { type: 'of', count: 2 }] });
    expect(parseSigmaCondition('selection_status and 1 of selection_request_*')).toMatchObject({ type: 'and' });
  });

  it('says what is wrong', () => {
    expect(() => parseSigmaCondition('selection and')).toThrow(/unexpected end/);
    expect(() => parseSigmaCondition('(selection')).toThrow(/expected "\)"/);
    expect(() => parseSigmaCondition('1 of')).toThrow(/after "of"/);
  });
});

describe('identifiersMatching', () => {
  it('expands * and leaves identifiers starting with _ out of "them"', () => {
    const names = ['selection_uri', 'selection_ua', 'filter', '_helper'];
    expect(identifiersMatching('selection_*', names)).toEqual(['selection_uri', 'selection_ua']);
    expect(identifiersMatching('them', names)).toEqual(['selection_uri', 'selection_ua', 'filter']);
  });
});
