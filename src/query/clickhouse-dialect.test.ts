import { createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningClickHouse, startClickHouse } from '../../test/helpers/clickhouse.js';
import { clickhouseDialect, clickhouseLiteral, flattenRecord, textRegex, userRegex, wildcardRegex } from './clickhouse-dialect.js';

let server: RunningClickHouse;
let client: ReturnType<typeof createClient>;

beforeAll(async () => {
  server = await startClickHouse();
  client = createClient({ url: `http://127.0.0.1:${server.httpPort}`, clickhouse_settings: { output_format_json_quote_64bit_integers: 0 } });
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
});

async function select(expression: string): Promise<unknown> {
  const rows = await (await client.query({ query: `SELECT ${expression} AS v`, format: 'JSONEachRow' })).json<{ v: unknown }>();
  return rows[0].v;
}

describe('clickhouseLiteral', () => {
  it('escapes backslash and quote with a backslash, NUL as \\0', () => {
    expect(clickhouseLiteral("it's")).toBe("'it\\'s'");
    expect(clickhouseLiteral('C:\\dir')).toBe("'C:\\\\dir'");
    expect(clickhouseLiteral('a\u0000b')).toBe("'a\\0b'");
  });

  it.each(["it's", "'; DROP TABLE events; --", "\\'; SELECT 1; --", 'back\\slash\\', 'quote"double', 'nul\u0000inside', 'tab\tnew\nline\r', '\u001f\u001e', 'ünïcødé 😀', '\\x41\\n', ''])(
    'round-trips %j through ClickHouse unchanged',
    async (value) => {
      expect(await select(clickhouseLiteral(value))).toBe(value);
    },
  );

  it('writes numbers, booleans and null', async () => {
    expect(clickhouseLiteral(42)).toBe('42');
    expect(clickhouseLiteral(-1.5)).toBe('-1.5');
    expect(clickhouseLiteral(true)).toBe('1');
    expect(clickhouseLiteral(null)).toBe('NULL');
    expect(await select(clickhouseLiteral(-1.5))).toBe(-1.5);
    expect(() => clickhouseLiteral(Number.POSITIVE_INFINITY)).toThrow('cannot write Infinity as a SQL literal');
  });

  it('is how the dialect writes every value (18.16 has no query parameters)', () => {
    expect(clickhouseDialect.value("a'b")).toEqual({ text: "'a\\'b'", params: [] });
  });

  it('quotes identifiers so any output name survives', async () => {
    expect(clickhouseDialect.identifier('count()')).toBe('`count()`');
    const rows = await (await client.query({ query: `SELECT 1 AS ${clickhouseDialect.identifier('we`ird\\name')}`, format: 'JSONEachRow' })).json();
    expect(rows).toEqual([{ 'we`ird\\name': 1 }]);
  });
});

describe('regular expressions on ClickHouse', () => {
  const matches = async (pattern: string, text: string) => (await select(`match(${clickhouseLiteral(text)}, ${clickhouseLiteral(pattern)})`)) === 1;

  it('keeps (?i) case-insensitive on 18.16, whose substring prefilter is case-sensitive', async () => {
    expect(await matches(userRegex('(?i)^ALICE$'), 'alice')).toBe(true);
    expect(await matches(userRegex('(?i)^ALICE$'), 'alicia')).toBe(false);
  });

  it('does not let . match a newline, as in JavaScript', async () => {
    expect(await matches(userRegex('^x.y$'), 'x\ny')).toBe(false);
    expect(await matches(userRegex('^x.y$'), 'x-y')).toBe(true);
  });

  it('makes wildcards match whole values with every other character literal', async () => {
    expect(await matches(wildcardRegex('cfg[1]?*'), 'cfg[1]?x')).toBe(true);
    expect(await matches(wildcardRegex('cfg?1*'), 'cfgX1')).toBe(false);
    expect(await matches(wildcardRegex('a*b'), 'a\n\nb')).toBe(true);
    expect(await matches(wildcardRegex('a.b'), 'axb')).toBe(false);
  });

  it('matches free text by words, like SQLite FTS5', async () => {
    const text = (words: string, prefix = false) => textRegex({ kind: 'text', text: words, prefix }) as string;
    expect(await matches(text('FORBIDDEN'), 'is forbidden: User')).toBe(true);
    expect(await matches(text('forbid'), 'is forbidden')).toBe(false);
    expect(await matches(text('forbid', true), 'is forbidden')).toBe(true);
    expect(await matches(text('has been modified'), 'it has  been, modified!')).toBe(true);
    expect(await matches(text('ärger'), 'ÄRGER mit café')).toBe(true);
    expect(textRegex({ kind: 'text', text: '"-" "*"', prefix: false })).toBeUndefined();
  });
});

describe('flattenRecord', () => {
  it('lists every node with its path, type and scalar text in document order', () => {
    const flat = flattenRecord({ a: { b: [1, 'x', true, null, { c: false }] }, 'd.e': {} });
    const paths = flat.keys.map((key) => key.replaceAll('\u001f', '/').replaceAll('\u001e', '#'));
    expect(paths).toEqual(['/a', '/a/b', '/a/b#0', '/a/b#1', '/a/b#2', '/a/b#3', '/a/b#4', '/a/b#4/c', '/d.e']);
    expect(flat.types).toEqual(['object', 'array', 'number', 'string', 'true', 'null', 'object', 'false', 'object']);
    expect(flat.values).toEqual(['', '', '1', 'x', 'true', '', '', 'false', '']);
  });
});
