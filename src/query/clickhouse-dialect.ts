import type { AggregateFunction } from './ast.js';
import type { Dialect, SqlValue } from './dialect.js';
import { type FieldRef, type PathStep, isMultiValued } from './field-ref.js';
import type { FieldDef } from '../model/fields.js';
import type { FieldPredicate, Literal, Matcher, TextPredicate } from './predicate.js';
import { prefixUpperBound } from './prefix-range.js';
import { type Sql, joinSql, parenthesize, rawSql, sql } from './sql.js';

/**
 * ClickHouse (the scale-out store), written for the oldest server we support (18.16): no query
 * parameters, so every user value is an escaped literal (`clickhouseLiteral`), and no JSON
 * functions, so raw paths of the record are answered from three parallel array columns the store
 * fills at insert time with `flattenRecord`: `json_keys` (the path of every node of the record),
 * `json_types` and `json_values` (scalars as text). List columns are `Array(String)`, other
 * optional columns `Nullable`, so absence is NULL or an empty array as in SQLite.
 * Regular expressions run on RE2 (`match`), which reads `(?i)` natively.
 */
export const clickhouseDialect: Dialect = {
  name: 'clickhouse',
  value: (value) => rawSql(clickhouseLiteral(value)),
  literal: clickhouseLiteral,
  identifier: (name) => `\`${name.replace(/[\\`]/g, (char) => `\\${char}`)}\``,
  fieldFilter,
  textSearch,
  not: (operand) => sql`NOT ifNull(${operand}, 0)`,
  fieldValue,
  groupValue,
  aggregate,
  orderKey: (expression, descending) => sql`${expression} ${rawSql(descending ? 'DESC' : 'ASC')} NULLS LAST`,
  limit: (count) => {
    if (!Number.isSafeInteger(count) || count < 0) throw new Error(`LIMIT needs a whole number, got ${count}`);
    return rawSql(`LIMIT ${count}`);
  },
};

/**
 * A ClickHouse literal. Inside single quotes ClickHouse reads backslash escapes, so backslash
 * and quote are escaped with a backslash and NUL is written as `\0`; every other character,
 * control characters included, stands for itself.
 */
export function clickhouseLiteral(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot write ${value} as a SQL literal`);
    return String(value);
  }
  return `'${value.replace(/[\\'\u0000]/g, (char) => (char === '\u0000' ? '\\0' : `\\${char}`))}'`;
}

const lit = (value: SqlValue): Sql => rawSql(clickhouseLiteral(value));

// ---- raw paths: the stored layout ----------------------------------------------------------

/** Separators in stored paths: a key step is KEY_STEP + key, an array element INDEX_STEP + index. */
const KEY_STEP = '\u001f';
const INDEX_STEP = '\u001e';
const SCALAR_TYPES = ['string', 'number', 'true', 'false'];
/** The scalar type names as a ClickHouse array literal. */
const SCALAR_TYPES_SQL = rawSql(`[${SCALAR_TYPES.map((type) => clickhouseLiteral(type)).join(', ')}]`);

export interface FlatRecord {
  keys: string[];
  types: string[];
  values: string[];
}

/**
 * Every node of a record in document order: its path (see KEY_STEP), its JSON type (`string`,
 * `number`, `true`, `false`, `null`, `object`, `array`) and its text for scalars (`''` otherwise).
 * Containers are listed too, so `exists` finds objects, arrays and null as readPath does.
 */
export function flattenRecord(record: unknown): FlatRecord {
  const flat: FlatRecord = { keys: [], types: [], values: [] };
  const visit = (node: unknown, path: string): void => {
    if (Array.isArray(node)) {
      if (path !== '') push(flat, path, 'array', '');
      node.forEach((item, index) => visit(item, `${path}${INDEX_STEP}${index}`));
    } else if (node !== null && typeof node === 'object') {
      if (path !== '') push(flat, path, 'object', '');
      for (const [key, value] of Object.entries(node)) visit(value, `${path}${KEY_STEP}${key}`);
    } else if (node === null) push(flat, path, 'null', '');
    else if (typeof node === 'boolean') push(flat, path, node ? 'true' : 'false', '');
    else if (typeof node === 'number') push(flat, path, 'number', String(node));
    else if (typeof node === 'string') push(flat, path, 'string', node);
  };
  visit(record, '');
  return flat;
}

function push(flat: FlatRecord, key: string, type: string, value: string): void {
  flat.keys.push(key);
  flat.types.push(type);
  // Booleans carry their text so that text matching (`privileged=true`, regexes) sees 'true'.
  flat.values.push(type === 'true' || type === 'false' ? type : value);
}

/** RE2 pattern (unanchored parts) for the stored path of the steps; `[*]` matches any index. */
function pathPattern(steps: readonly PathStep[]): string {
  return steps
    .map((step) => ('key' in step ? KEY_STEP + escapeRegex(step.key) : 'index' in step ? `${INDEX_STEP}${step.index}` : `${INDEX_STEP}[0-9]+`))
    .join('');
}

function plainPath(steps: readonly PathStep[]): string | undefined {
  if (steps.some((step) => 'all' in step)) return undefined;
  return steps.map((step) => ('key' in step ? KEY_STEP + step.key : 'index' in step ? `${INDEX_STEP}${step.index}` : '')).join('');
}

/** The nodes a path's values are: the node itself, or the elements when it is an array (any value of them, as in SQLite's json_each). */
function valueKeyPattern(steps: readonly PathStep[]): string {
  return `^${pathPattern(steps)}(${INDEX_STEP}[0-9]+)?$`;
}

type NodeCondition = (type: Sql, value: Sql) => Sql;

/** Which stored nodes are values of the path (and meet the condition), as a lambda over (key, type, value). */
function valueTest(steps: readonly PathStep[], condition?: NodeCondition): Sql {
  const key = sql`match(k, ${lit(valueKeyPattern(steps))})`;
  // Comparisons of Nullable values are Nullable; array functions need a plain 0/1.
  return condition ? sql`${key} AND ifNull(${condition(rawSql('t'), rawSql('v'))}, 0)` : key;
}

/**
 * One of the node arrays (`json_types` or `json_values`) cut to the path's values, in document
 * order. The lambda takes the arrays as arguments rather than naming columns inside it: 18.16
 * does not find columns named only inside a lambda of the SELECT list.
 */
function pathNodes(steps: readonly PathStep[], row: string, pick: 'types' | 'values', condition?: NodeCondition): Sql {
  const arrays = rawSql(`${row}.json_${pick}, ${row}.json_keys, ${row}.json_types, ${row}.json_values`);
  return sql`arrayFilter((x, k, t, v) -> ${valueTest(steps, condition)}, ${arrays})`;
}

function pathExists(steps: readonly PathStep[], row: string): Sql {
  const plain = plainPath(steps);
  if (plain !== undefined) return sql`has(${rawSql(`${row}.json_keys`)}, ${lit(plain)})`;
  return sql`arrayExists(k -> match(k, ${lit(`^${pathPattern(steps)}$`)}), ${rawSql(`${row}.json_keys`)})`;
}

function pathFilter(field: FieldRef & { kind: 'path' }, matcher: Matcher, negated: boolean, row: string): Sql {
  const present = pathExists(field.steps, row);
  if (matcher.kind === 'exists') return present;
  const condition = valueTest(field.steps, (type, value) => looseMatch(matcher, type, value));
  const positive = sql`arrayExists((k, t, v) -> ${condition}, ${rawSql(`${row}.json_keys, ${row}.json_types, ${row}.json_values`)})`;
  return negated ? sql`${present} AND NOT ${positive}` : positive;
}

/**
 * A JSON value against a query value: `code=200` matches 200 and "200", `privileged=true`
 * matches true and "true"; order comparisons are numeric for numbers and textual otherwise.
 */
function looseMatch(matcher: Matcher, type: Sql, value: Sql): Sql {
  const scalar = sql`has(${SCALAR_TYPES_SQL}, ${type})`;
  const number = sql`toFloat64OrNull(${value})`;
  if (matcher.kind === 'equals') {
    const numbers = matcher.values.filter((literal) => literal.number !== undefined).map((literal) => lit(literal.number as number));
    const byText = sql`${scalar} AND ${oneOf(value, matcher.values.map(textValue))}`;
    return numbers.length === 0 ? byText : sql`((${byText}) OR (${type} = 'number' AND ${oneOf(number, numbers)}))`;
  }
  if (matcher.kind === 'compare') {
    const { operator, value: operand } = matcher;
    if (operand.number !== undefined) return sql`${type} = 'number' AND ${number} ${rawSql(operator)} ${lit(operand.number)}`;
    return sql`${type} = 'string' AND ${value} ${rawSql(operator)} ${lit(operand.text)}`;
  }
  return sql`${scalar} AND ${match(value, matcher, textValue)}`;
}

/** A plain path as one scalar (text; booleans as 'true'/'false'); NULL when absent, null, or a container. */
function pathScalar(steps: readonly PathStep[], row: string): Sql {
  const at = sql`indexOf(${rawSql(`${row}.json_keys`)}, ${lit(plainPath(steps) ?? '')})`;
  return sql`if(has(${SCALAR_TYPES_SQL}, ${rawSql(`${row}.json_types`)}[${at}]), ${rawSql(`${row}.json_values`)}[${at}], NULL)`;
}

/** A stored node as a JSON array element: strings quoted, numbers and booleans as written, anything else null. */
function jsonElement(type: Sql, value: Sql): Sql {
  return sql`multiIf(${type} = 'string', ${jsonString(value)}, ${type} IN ('number', 'true', 'false'), ${value}, 'null')`;
}

/** JSON string text without toJSONString (newer than 18.16): quote and backslash escaped; control characters stay raw. */
function jsonString(value: Sql): Sql {
  const escaped = sql`replaceRegexpAll(${value}, ${lit('(["\\\\])')}, ${lit('\\\\\\1')})`;
  return sql`concat('"', ${escaped}, '"')`;
}

// ---- filters on columns --------------------------------------------------------------------

function fieldFilter(predicate: FieldPredicate, row: string): Sql {
  const { field, matcher, negated } = predicate;
  if (field.kind === 'path') return pathFilter(field, matcher, negated, row);
  const column = rawSql(`${row}.${field.def.column}`);
  if (field.def.type === 'string[]') return listFilter(column, matcher, negated);
  if (matcher.kind === 'exists') return sql`isNotNull(${column})`;
  const valueOf = columnValue(field.def);
  const subject = field.def.type === 'number' && matcher.kind === 'regex' ? sql`toString(${column})` : column;
  if (negated && matcher.kind === 'equals') {
    const values = matcher.values.map(valueOf);
    return values.length === 1 ? sql`${column} <> ${values[0]}` : sql`${column} NOT IN (${joinSql(values, ', ')})`;
  }
  const positive = match(subject, matcher, valueOf);
  return negated ? sql`isNotNull(${column}) AND NOT ifNull(${positive}, 0)` : positive;
}

/** An `Array(String)` column (`user_groups`): any element matches. */
function listFilter(column: Sql, matcher: Matcher, negated: boolean): Sql {
  const present = sql`notEmpty(${column})`;
  if (matcher.kind === 'exists') return present;
  const positive = sql`arrayExists(x -> ${match(rawSql('x'), matcher, textValue)}, ${column})`;
  return negated ? sql`${present} AND NOT ${positive}` : positive;
}

/** One scalar expression against a matcher. */
function match(expression: Sql, matcher: Matcher, valueOf: (literal: Literal) => Sql): Sql {
  switch (matcher.kind) {
    case 'equals':
      return oneOf(expression, matcher.values.map(valueOf));
    case 'compare':
      return sql`${expression} ${rawSql(matcher.operator)} ${valueOf(matcher.value)}`;
    case 'prefix':
      return prefixRange(expression, matcher.prefix);
    case 'wildcard':
      return sql`match(${expression}, ${lit(wildcardRegex(matcher.pattern))})`;
    case 'regex':
      return sql`match(${expression}, ${lit(userRegex(matcher.pattern))})`;
    case 'exists':
      return sql`isNotNull(${expression})`;
  }
}

function oneOf(expression: Sql, values: readonly Sql[]): Sql {
  return values.length === 1 ? sql`${expression} = ${values[0]}` : sql`${expression} IN (${joinSql(values, ', ')})`;
}

/** A range rather than a pattern, so the primary key and skip ranges apply (same meaning: byte order). */
function prefixRange(expression: Sql, prefix: string): Sql {
  const upper = prefixUpperBound(prefix);
  const lower = sql`${expression} >= ${lit(prefix)}`;
  return upper === undefined ? lower : parenthesize(sql`${lower} AND ${expression} < ${lit(upper)}`);
}

/** Never matches: an alternative to it switches off ClickHouse's required-substring prefilter (see userRegex). */
const NEVER = '[^\\x{0}-\\x{10FFFF}]';

/**
 * A query regex as ClickHouse must be given it for JavaScript's meaning. ClickHouse turns on
 * RE2's dot-matches-newline, so `(?-s)` turns it off. Old servers (18.16) also prefilter rows on
 * a literal substring of the pattern taken case-sensitively even under `(?i)`, which loses
 * matches; a top-level alternative that never matches makes them skip the prefilter.
 */
export function userRegex(pattern: string): string {
  return /\(\?[a-zA-Z]*i/.test(pattern) ? `(?-s)(?:${pattern})|${NEVER}` : `(?-s)${pattern}`;
}

/** `*` is any run of characters (newlines included); everything else is literal. */
export function wildcardRegex(pattern: string): string {
  return `(?s)^${pattern.split('*').map(escapeRegex).join('.*')}$`;
}

/** RE2 escaping of ASCII punctuation; other characters are literal in RE2 as they are. */
function escapeRegex(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}-]/g, (char) => `\\${char}`);
}

// ---- free text -------------------------------------------------------------------------------

const TOKEN_SEPARATOR = '[^\\pL\\pN]';

/**
 * Free text with the meaning of SQLite's FTS5 (unicode61 tokenizer) so both stores return the same
 * events: the text's words (runs of letters and digits) must appear in the message as consecutive
 * words, case-insensitively; a prefix query leaves the last word open. Text without words matches nothing.
 */
export function textRegex(predicate: TextPredicate): string | undefined {
  const words = predicate.text.split(/[^\p{L}\p{N}]+/u).filter((word) => word !== '');
  if (words.length === 0) return undefined;
  const end = predicate.prefix ? '' : `(${TOKEN_SEPARATOR}|$)`;
  return `(?i)(?:(^|${TOKEN_SEPARATOR})${words.join(`${TOKEN_SEPARATOR}+`)}${end})|${NEVER}`;
}

function textSearch(predicate: TextPredicate, row: string): Sql {
  const regex = textRegex(predicate);
  if (regex === undefined) return rawSql('0');
  return sql`match(${rawSql(`${row}.message`)}, ${lit(regex)})`;
}

// ---- values for fields, sort, stats ------------------------------------------------------

/** Path scalars handed out by fieldValue: numeric aggregates over them read the text as numbers. */
const pathScalars = new WeakSet<Sql>();

function fieldValue(field: FieldRef, row: string): Sql {
  if (field.kind === 'column') {
    const column = rawSql(`${row}.${field.def.column}`);
    return field.def.type === 'string[]' ? jsonArray(column) : column;
  }
  if (!isMultiValued(field)) {
    const scalar = pathScalar(field.steps, row);
    pathScalars.add(scalar);
    return scalar;
  }
  const types = pathNodes(field.steps, row, 'types');
  const values = pathNodes(field.steps, row, 'values');
  const elements = sql`arrayMap((t, v) -> ${jsonElement(rawSql('t'), rawSql('v'))}, ${types}, ${values})`;
  return sql`concat('[', arrayStringConcat(${elements}, ','), ']')`;
}

/** A list column as JSON array text, NULL when empty (as SQLite stores an absent list). */
function jsonArray(column: Sql): Sql {
  return sql`if(empty(${column}), NULL, concat('[', arrayStringConcat(arrayMap(x -> ${jsonString(rawSql('x'))}, ${column}), ','), ']'))`;
}

function groupValue(field: FieldRef, row: string, alias: string): { joins: Sql; value: Sql } {
  if (field.kind === 'column') {
    const column = rawSql(`${row}.${field.def.column}`);
    if (field.def.type !== 'string[]') return { joins: rawSql(''), value: column };
    // Nullable elements: LEFT ARRAY JOIN gives an event without values one row with NULL.
    return { joins: sql`LEFT ARRAY JOIN CAST(${column} AS Array(Nullable(String))) AS ${rawSql(alias)}`, value: rawSql(alias) };
  }
  // Distinct values of the event first, so an event with two containers of one image counts once for it.
  const scalars = pathNodes(field.steps, row, 'values', (type) => sql`has(${SCALAR_TYPES_SQL}, ${type})`);
  const values = sql`arrayReduce('groupUniqArray', ${scalars})`;
  return { joins: sql`LEFT ARRAY JOIN CAST(${values} AS Array(Nullable(String))) AS ${rawSql(alias)}`, value: rawSql(alias) };
}

function aggregate(fn: AggregateFunction, argument: Sql | undefined): Sql {
  if (argument === undefined) return rawSql('count(*)');
  if (fn === 'dc') return sql`uniqExact(${argument})`;
  if (fn !== 'count' && pathScalars.has(argument)) return sql`${rawSql(fn)}(toFloat64OrNull(${argument}))`;
  return sql`${rawSql(fn)}(${argument})`;
}

function columnValue(def: FieldDef): (literal: Literal) => Sql {
  return def.type === 'number' || def.type === 'time' ? (literal) => lit(literal.number as number) : textValue;
}

function textValue(literal: Literal): Sql {
  return lit(literal.text);
}
