import { describe, expect, it } from 'vitest';
import type { FilterNode, ValueNode } from './ast.js';
import { parseQuery } from './parser.js';
import { QueryError } from './query-error.js';

/** A compact, position-free rendering of a filter, e.g. `(or (and a=1 b=2) c=3)`. */
function show(node: FilterNode | undefined): string {
  if (node === undefined) return '';
  const value = (v: ValueNode): string => (v.quoted ? JSON.stringify(v.text) : v.text);
  switch (node.kind) {
    case 'and':
    case 'or':
      return `(${node.kind} ${node.items.map(show).join(' ')})`;
    case 'not':
      return `(not ${show(node.item)})`;
    case 'compare':
      return `${node.field.name}${node.operator}${value(node.value)}`;
    case 'in':
      return `${node.field.name}${node.negated ? '!=' : '='}[${node.values.map(value).join(',')}]`;
    case 'exists':
      return `${node.field.name}?`;
    case 'text':
      return `text:${value(node.value)}`;
  }
}

const filterOf = (query: string): string => show(parseQuery(query).filter);

function errorOf(query: string): QueryError {
  try {
    parseQuery(query);
  } catch (error) {
    if (error instanceof QueryError) return error;
    throw error;
  }
  throw new Error(`expected a QueryError for ${query}`);
}

describe('parseQuery: terms and operators', () => {
  it.each([
    ['user.name=admin', 'user.name=admin'],
    ['user.name!=admin', 'user.name!=admin'],
    ['user.name=~^sys', 'user.name=~^sys'],
    ['user.name!~^sys', 'user.name!~^sys'],
    ['code>400', 'code>400'],
    ['code>=400', 'code>=400'],
    ['code<500', 'code<500'],
    ['code<=500', 'code<=500'],
    ['user.name = admin', 'user.name=admin'],
    ['user=system:serviceaccount:kube-system:job-controller', 'user=system:serviceaccount:kube-system:job-controller'],
    ['@timestamp>=2026-01-01T00:00:00+02:00', '@timestamp>=2026-01-01T00:00:00+02:00'],
    ['requestObject.spec.containers[*].securityContext.privileged=true', 'requestObject.spec.containers[*].securityContext.privileged=true'],
    ['user=adm*', 'user=adm*'],
    ['user=*', 'user=*'],
  ])('%s', (query, expected) => {
    expect(filterOf(query)).toBe(expected);
  });

  it('reads quoted values with \\" and \\\\ escapes and keeps other backslashes for regexes', () => {
    expect(filterOf('msg="say \\"hi\\" to C:\\\\dir"')).toBe('msg="say \\"hi\\" to C:\\\\dir"');
    const filter = parseQuery('user.name=~"^sa-\\d+$"').filter;
    expect(filter).toMatchObject({ kind: 'compare', value: { text: '^sa-\\d+$', quoted: true } });
  });

  it('keeps quoted stars literal (the planner treats only unquoted ones as wildcards)', () => {
    expect(parseQuery('name="a*"').filter).toMatchObject({ value: { text: 'a*', quoted: true } });
    expect(parseQuery('name=a*').filter).toMatchObject({ value: { text: 'a*', quoted: false } });
  });

  it('reads in-lists with and without commas, negated too', () => {
    expect(filterOf('verb=(create, "update", patch*)')).toBe('verb=[create,"update",patch*]');
    expect(filterOf('verb!=(get list watch)')).toBe('verb!=[get,list,watch]');
  });

  it('reads presence tests', () => {
    expect(filterOf('objectRef.subresource exists')).toBe('objectRef.subresource?');
    expect(filterOf('not impersonatedUser EXISTS')).toBe('(not impersonatedUser?)');
  });

  it('reads free-text words and quoted phrases', () => {
    expect(filterOf('forbidden "access denied"')).toBe('(and text:forbidden text:"access denied")');
    expect(filterOf('error!')).toBe('text:error!');
  });

  it('records 0-based positions of fields and values', () => {
    expect(parseQuery('verb=get  user.name="bob"').filter).toMatchObject({
      kind: 'and',
      items: [{ field: { pos: 0 }, value: { pos: 5 } }, { field: { name: 'user.name', pos: 10 }, value: { pos: 20 } }],
    });
  });
});

describe('parseQuery: boolean structure', () => {
  it('treats terms side by side as and, and binds and tighter than or', () => {
    expect(filterOf('a=1 b=2 or c=3')).toBe('(or (and a=1 b=2) c=3)');
    expect(filterOf('a=1 or b=2 c=3')).toBe('(or a=1 (and b=2 c=3))');
    expect(filterOf('a=1 and b=2 or c=3 and d=4')).toBe('(or (and a=1 b=2) (and c=3 d=4))');
  });

  it('groups with parentheses', () => {
    expect(filterOf('a=1 (b=2 or c=3)')).toBe('(and a=1 (or b=2 c=3))');
    expect(filterOf('(a=1 or b=2) and not (c=3 or d=4)')).toBe('(and (or a=1 b=2) (not (or c=3 d=4)))');
  });

  it('applies not to the next term only', () => {
    expect(filterOf('not a=1 b=2')).toBe('(and (not a=1) b=2)');
    expect(filterOf('not not a=1')).toBe('(not (not a=1))');
  });

  it('reads keywords in any case, and a keyword before an operator as a field name', () => {
    expect(filterOf('a=1 AND b=2 Or NOT c=3')).toBe('(or (and a=1 b=2) (not c=3))');
    expect(filterOf('not=1')).toBe('not=1');
  });

  it('allows an empty filter before the stages, and an empty query', () => {
    expect(parseQuery('| head 3')).toEqual({ filter: undefined, stages: [{ kind: 'head', count: 3, pos: 2 }] });
    expect(parseQuery('   ')).toEqual({ filter: undefined, stages: [] });
  });
});

describe('parseQuery: stages', () => {
  it('reads stats with aggregates, names and by-fields', () => {
    const { stages } = parseQuery('verb=delete | stats count() as n, dc(user.name) max(code) by resource, ns');
    expect(stages).toEqual([
      {
        kind: 'stats',
        pos: 14,
        aggregates: [
          { fn: 'count', field: undefined, label: 'n', pos: 20 },
          { fn: 'dc', field: { name: 'user.name', pos: 37 }, label: 'dc(user.name)', pos: 34 },
          { fn: 'max', field: { name: 'code', pos: 52 }, label: 'max(code)', pos: 48 },
        ],
        by: [
          { name: 'resource', pos: 61 },
          { name: 'ns', pos: 71 },
        ],
      },
    ]);
  });

  it('reads sort keys with signs, aggregate names and asc/desc', () => {
    const [sort] = parseQuery('| sort -count(), +user.name verb DESC, -dc(user)').stages;
    expect(sort).toMatchObject({
      kind: 'sort',
      keys: [
        { name: 'count()', descending: true },
        { name: 'user.name', descending: false },
        { name: 'verb', descending: true },
        { name: 'dc(user)', descending: true },
      ],
    });
  });

  it('reads head with and without a count, and fields lists', () => {
    expect(parseQuery('| head').stages).toEqual([{ kind: 'head', count: 10, pos: 2 }]);
    expect(parseQuery('| fields user.name, verb code').stages).toMatchObject([
      { kind: 'fields', fields: [{ name: 'user.name' }, { name: 'verb' }, { name: 'code' }] },
    ]);
  });

  it('reads stage names in any case and a chain of stages', () => {
    expect(parseQuery('a=1 | STATS count() by b | Sort -count() | head 5').stages.map((stage) => stage.kind)).toEqual(['stats', 'sort', 'head']);
  });
});

describe('parseQuery: errors name the column and what was expected', () => {
  it.each([
    ['user.name=', 11, 'expected a value after "=", e.g. user.name="admin"'],
    ['code>', 6, 'expected a value after ">", e.g. code>400'],
    ['user.name=~(a|b)', 12, 'expected a value after "=~", e.g. user.name=~"^system:" (quote a regular expression that has parentheses)'],
    ['user.name="admin', 11, 'unterminated quoted string: close it with " (write \\" for a quote inside)'],
    ['(a=1 or b=2', 12, 'expected ")" to close the "(" at column 1'],
    ['a=1)', 4, 'unexpected ")": no "(" is open'],
    ['a=1 and', 8, 'expected a term (field=value, a word, a "phrase" or "(") after "and"'],
    ['a=1 or', 7, 'expected a term (field=value, a word, a "phrase" or "(") after "or"'],
    ['()', 2, 'expected a term (field=value, a word, a "phrase" or "(") after "("'],
    ['=admin', 1, 'expected a field name before "=", e.g. user.name=…'],
    ['uri=/api?watch=true', 15, 'unexpected "=": a value that contains "=" needs quotes, e.g. url.original="/api?watch=true"'],
    ['verb=()', 6, 'empty list: write field=(a, b, c)'],
    ['verb=(get, =)', 12, 'expected a value or ")" in the list opened at column 6'],
    ['| bogus', 3, 'unknown stage "bogus"; known stages: stats, sort, head, fields'],
    ['a=1 |', 6, 'expected a stage name after "|": one of stats, sort, head, fields'],
    ['| stats', 8, 'expected an aggregate after "stats": count(), dc(field), min(field), max(field), avg(field), sum(field)'],
    ['| stats total()', 9, 'unknown function "total" in stats; known: count(), dc(field), min(field), max(field), avg(field), sum(field)'],
    ['| stats count', 14, 'expected "(" after "count", e.g. count()'],
    ['| stats dc(user', 16, 'expected ")" to close "dc(", e.g. dc(user.name)'],
    ['| stats dc()', 9, 'dc needs a field, e.g. dc(user.name)'],
    ['| stats count() by', 19, 'expected a field name after "by", e.g. by user.name, verb'],
    ['| stats count() as', 19, 'expected a column name after "as", e.g. count() as events'],
    ['| stats count() by user (x)', 25, 'unexpected "(" in the stats stage'],
    ['| sort', 7, 'expected a field to sort by, e.g. sort -count() or sort +user.name'],
    ['| sort - user', 8, 'expected a field right after "-", e.g. sort -count() or sort +user.name'],
    ['| head ten', 8, 'head needs a positive whole number, e.g. head 20; got "ten"'],
    ['| head 0', 8, 'head needs a positive whole number, e.g. head 20; got "0"'],
    ['| fields', 9, 'expected a field name after "fields", e.g. fields user.name, verb'],
    ['stats count() by user', 13, 'expected a term (field=value, a word, a "phrase" or "(") after "("; stages start with "|", e.g. "| stats …"'],
  ])('%s', (query, column, detail) => {
    const error = errorOf(query);
    expect(error.column).toBe(column);
    expect(error.message).toBe(`query error at column ${column}: ${detail}`);
  });
});
