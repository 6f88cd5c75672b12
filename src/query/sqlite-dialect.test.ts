import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ftsQuery, sqliteDialect, sqliteLiteral } from './sqlite-dialect.js';

describe('sqliteLiteral', () => {
  const db = new Database(':memory:');
  const roundTrip = (value: string | number | boolean | null): unknown => db.prepare(`SELECT ${sqliteLiteral(value)} AS v`).get() as { v: unknown };

  it('doubles single quotes and keeps backslashes as ordinary characters', () => {
    expect(sqliteLiteral("it's")).toBe("'it''s'");
    expect(sqliteLiteral('C:\\dir\\"x"')).toBe(`'C:\\dir\\"x"'`);
  });

  it.each(["it's", "''; DROP TABLE events; --", 'back\\slash\\', 'quote"double', 'nul\u0000inside', '\u0000', 'ünïcødé 😀', ''])(
    'round-trips %j through SQLite unchanged',
    (value) => {
      expect(roundTrip(value)).toEqual({ v: value });
    },
  );

  it('writes numbers, booleans and null', () => {
    expect(sqliteLiteral(42)).toBe('42');
    expect(sqliteLiteral(-1.5)).toBe('-1.5');
    expect(sqliteLiteral(true)).toBe('1');
    expect(sqliteLiteral(null)).toBe('NULL');
    expect(roundTrip(1e21)).toEqual({ v: 1e21 });
    expect(() => sqliteLiteral(Number.NaN)).toThrow('cannot write NaN as a SQL literal');
  });

  it('is the literal method of the dialect, which binds values otherwise', () => {
    expect(sqliteDialect.literal("a'b")).toBe("'a''b'");
    expect(sqliteDialect.value("a'b")).toEqual({ text: '?', params: ["a'b"] });
    expect(sqliteDialect.value(true)).toEqual({ text: '?', params: [1] });
  });

  it('quotes identifiers', () => {
    expect(sqliteDialect.identifier('count()')).toBe('"count()"');
    expect(sqliteDialect.identifier('a"b')).toBe('"a""b"');
  });
});

describe('ftsQuery', () => {
  it('makes the text one FTS5 string so no operator or column filter in it takes effect', () => {
    expect(ftsQuery({ kind: 'text', text: 'access denied', prefix: false })).toBe('"access denied"');
    expect(ftsQuery({ kind: 'text', text: 'say "NEAR" OR x:y', prefix: false })).toBe('"say ""NEAR"" OR x:y"');
    expect(ftsQuery({ kind: 'text', text: 'adm', prefix: true })).toBe('"adm" *');
  });
});
