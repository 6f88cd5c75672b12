import type { AggregateFunction } from './ast.js';
import type { Dialect, SqlValue } from './dialect.js';
import { type FieldRef, isMultiValued } from './field-ref.js';
import type { FieldDef } from '../model/fields.js';
import type { FieldPredicate, Literal, Matcher, TextPredicate } from './predicate.js';
import { prefixUpperBound } from './prefix-range.js';
import { type Sql, joinSql, parenthesize, rawSql, sql } from './sql.js';
import { jsonArrayElement, jsonValueForDisplay, jsonValueText, pathExists, pathScalar, pathValueRows } from './sqlite-json-path.js';

/**
 * SQLite (the embedded store). Every user value is a bound parameter. Normalized fields compile
 * to plain column comparisons (`user_name = ?`, `user_name IN (…)`, prefixes as an index range)
 * so the store's indexes apply; list columns and raw paths go through json_each. Regular
 * expressions need the `regexp` function from `registerSqliteFunctions`.
 */
export const sqliteDialect: Dialect = {
  name: 'sqlite',
  value: bind,
  literal: sqliteLiteral,
  identifier: (name) => `"${name.replaceAll('"', '""')}"`,
  fieldFilter,
  textSearch,
  not: (operand) => sql`(${operand}) IS NOT TRUE`,
  fieldValue,
  groupValue,
  aggregate,
  orderKey: (expression, descending) => (descending ? sql`${expression} DESC` : sql`${expression} ASC NULLS LAST`),
  limit: (count) => sql`LIMIT ${bind(count)}`,
};

function bind(value: SqlValue): Sql {
  // better-sqlite3 binds no booleans; SQLite itself stores them as 1 and 0.
  return { text: '?', params: [typeof value === 'boolean' ? Number(value) : value] };
}

/**
 * A SQLite literal. Strings: single quotes doubled, backslashes are ordinary characters in
 * SQLite, and NUL (which would end the statement text) is spliced in with char(0).
 */
export function sqliteLiteral(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot write ${value} as a SQL literal`);
    return String(value);
  }
  return value
    .split('\u0000')
    .map((part) => `'${part.replaceAll("'", "''")}'`)
    .join(' || char(0) || ');
}

function fieldFilter(predicate: FieldPredicate, row: string): Sql {
  const { field, matcher, negated } = predicate;
  if (field.kind === 'path') return pathFilter(field, matcher, negated, row);
  const column = rawSql(`${row}.${field.def.column}`);
  if (field.def.type === 'string[]') return listFilter(column, matcher, negated);
  if (matcher.kind === 'exists') return sql`${column} IS NOT NULL`;
  const valueOf = columnValue(field.def);
  if (negated && matcher.kind === 'equals') {
    const values = matcher.values.map(valueOf);
    return values.length === 1 ? sql`${column} <> ${values[0]}` : sql`${column} NOT IN (${joinSql(values, ', ')})`;
  }
  const positive = match(column, matcher, valueOf);
  return negated ? sql`${column} IS NOT NULL AND NOT (${positive})` : positive;
}

/** A JSON array column (`user_groups`): any element matches. */
function listFilter(column: Sql, matcher: Matcher, negated: boolean): Sql {
  const present = sql`EXISTS (SELECT 1 FROM json_each(${column}))`;
  if (matcher.kind === 'exists') return present;
  const positive = sql`EXISTS (SELECT 1 FROM json_each(${column}) AS v WHERE ${match(rawSql('v.value'), matcher, textValue)})`;
  return negated ? sql`${present} AND NOT ${positive}` : positive;
}

function pathFilter(field: FieldRef & { kind: 'path' }, matcher: Matcher, negated: boolean, row: string): Sql {
  const present = pathExists(field.steps, row, bind);
  if (matcher.kind === 'exists') return present;
  const rows = pathValueRows(field.steps, row, bind);
  const conditions = joinSql([...rows.where, looseMatch(matcher)], ' AND ');
  const positive = sql`EXISTS (SELECT 1 FROM ${rows.from} WHERE ${conditions})`;
  return negated ? sql`${present} AND NOT ${positive}` : positive;
}

/**
 * A JSON value against a query value: `code=200` matches 200 and "200", `privileged=true`
 * matches true and "true"; order comparisons are numeric for numbers and textual otherwise.
 */
function looseMatch(matcher: Matcher): Sql {
  const text = jsonValueText('v');
  const isNumber = rawSql(`v.type IN ('integer', 'real')`);
  if (matcher.kind === 'equals') {
    const numbers = matcher.values.filter((value) => value.number !== undefined).map((value) => bind(value.number as number));
    const byText = oneOf(text, matcher.values.map(textValue));
    return numbers.length === 0 ? byText : sql`(${byText} OR (${isNumber} AND ${oneOf(rawSql('v.value'), numbers)}))`;
  }
  if (matcher.kind === 'compare') {
    const { operator, value } = matcher;
    if (value.number !== undefined) return sql`${isNumber} AND v.value ${rawSql(operator)} ${bind(value.number)}`;
    return sql`v.type = 'text' AND v.value ${rawSql(operator)} ${bind(value.text)}`;
  }
  return match(text, matcher, textValue);
}

/** One scalar expression against a matcher (never `exists`, which the callers handle). */
function match(expression: Sql, matcher: Matcher, valueOf: (literal: Literal) => Sql): Sql {
  switch (matcher.kind) {
    case 'equals':
      return oneOf(expression, matcher.values.map(valueOf));
    case 'compare':
      return sql`${expression} ${rawSql(matcher.operator)} ${valueOf(matcher.value)}`;
    case 'prefix':
      return prefixRange(expression, matcher.prefix);
    case 'wildcard':
      return sql`${expression} GLOB ${bind(globPattern(matcher.pattern))}`;
    case 'regex':
      return sql`${expression} REGEXP ${bind(matcher.pattern)}`;
    case 'exists':
      return sql`${expression} IS NOT NULL`;
  }
}

function oneOf(expression: Sql, values: readonly Sql[]): Sql {
  return values.length === 1 ? sql`${expression} = ${values[0]}` : sql`${expression} IN (${joinSql(values, ', ')})`;
}

/**
 * `x >= 'adm' AND x < 'adn'` rather than GLOB 'adm*': an explicit range uses an index whatever
 * the planner knows about the bound value, and means the same (case-sensitive, byte order).
 */
function prefixRange(expression: Sql, prefix: string): Sql {
  const upper = prefixUpperBound(prefix);
  const lower = sql`${expression} >= ${bind(prefix)}`;
  return upper === undefined ? lower : parenthesize(sql`${lower} AND ${expression} < ${bind(upper)}`);
}

/** GLOB treats `?` and `[` specially; our wildcards have only `*`, so those are made literal. */
function globPattern(pattern: string): string {
  return pattern.replace(/[?[]/g, (char) => `[${char}]`);
}

function textSearch(predicate: TextPredicate, row: string, fts: string | undefined): Sql {
  if (fts !== undefined) {
    const table = rawSql(fts);
    return sql`${rawSql(`${row}.seq`)} IN (SELECT rowid FROM ${table} WHERE ${table} MATCH ${bind(ftsQuery(predicate))})`;
  }
  return sql`${rawSql(`${row}.message`)} LIKE ${bind(`%${escapeLike(predicate.text)}%`)} ESCAPE '\\'`;
}

/**
 * The text as one FTS5 string (a phrase), quotes doubled, so nothing the user typed is read as
 * FTS5 syntax (AND, NEAR, column filters, `^`…); a trailing `*` outside the string makes it a prefix query.
 */
export function ftsQuery(predicate: TextPredicate): string {
  const phrase = `"${predicate.text.replaceAll('"', '""')}"`;
  return predicate.prefix ? `${phrase} *` : phrase;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

function fieldValue(field: FieldRef, row: string): Sql {
  if (field.kind === 'column') return rawSql(`${row}.${field.def.column}`);
  if (!isMultiValued(field)) return pathScalar(field.steps, row, bind);
  const rows = pathValueRows(field.steps, row, bind);
  return sql`(SELECT json_group_array(${jsonArrayElement('v')}) FROM ${rows.from} WHERE ${joinSql(rows.where, ' AND ')})`;
}

function groupValue(field: FieldRef, row: string, alias: string): { joins: Sql; value: Sql } {
  if (field.kind === 'column') {
    const column = rawSql(`${row}.${field.def.column}`);
    if (field.def.type !== 'string[]') return { joins: rawSql(''), value: column };
    return { joins: sql`LEFT JOIN json_each(${column}) AS ${rawSql(alias)}`, value: rawSql(`${alias}.value`) };
  }
  // Distinct values of the event first, so an event with two containers of one image counts once for it.
  const rows = pathValueRows(field.steps, row, bind);
  const values = sql`(SELECT json_group_array(DISTINCT ${jsonArrayElement('v')}) FROM ${rows.from} WHERE ${joinSql(rows.where, ' AND ')})`;
  return { joins: sql`LEFT JOIN json_each(${values}) AS ${rawSql(alias)}`, value: jsonValueForDisplay(alias) };
}

function aggregate(fn: AggregateFunction, argument: Sql | undefined): Sql {
  if (argument === undefined) return rawSql('count(*)');
  if (fn === 'dc') return sql`count(DISTINCT ${argument})`;
  return sql`${rawSql(fn)}(${argument})`;
}

function columnValue(def: FieldDef): (literal: Literal) => Sql {
  return def.type === 'number' || def.type === 'time' ? (literal) => bind(literal.number as number) : textValue;
}

function textValue(literal: Literal): Sql {
  return bind(literal.text);
}
