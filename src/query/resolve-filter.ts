import type { FieldName, FilterNode, ValueNode } from './ast.js';
import { type FieldRef, resolveField } from './field-ref.js';
import type { Operator } from './lexer.js';
import type { Literal, Matcher, Predicate } from './predicate.js';
import { QueryError } from './query-error.js';
import { parseAbsoluteTime } from './time-bound.js';
import { compileUserRegex } from './user-regex.js';

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Resolves field names and types values of a parsed filter; errors point at the offending term. */
export function resolveFilter(node: FilterNode): Predicate {
  switch (node.kind) {
    case 'and':
    case 'or':
      return { kind: node.kind, items: node.items.map(resolveFilter) };
    case 'not':
      return { kind: 'not', item: resolveFilter(node.item) };
    case 'exists':
      return fieldTest(resolveField(node.field), { kind: 'exists' }, false);
    case 'text':
      return textSearch(node.value);
    case 'compare':
      return comparison(node.field, node.operator, node.value);
    case 'in':
      return inList(resolveField(node.field), node.negated, node.values);
  }
}

function comparison(name: FieldName, operator: Operator, value: ValueNode): Predicate {
  const field = resolveField(name);
  switch (operator) {
    case '=':
    case '!=':
      return fieldTest(field, equality(field, value), operator === '!=');
    case '=~':
    case '!~':
      return fieldTest(field, regex(field, value), operator === '!~');
    default:
      return fieldTest(field, { kind: 'compare', operator, value: literal(field, value) }, false);
  }
}

/** `!=(a, b*)` keeps all of the list out; `=(a, b*)` takes any of it. */
function inList(field: FieldRef, negated: boolean, values: readonly ValueNode[]): Predicate {
  const matchers = values.map((value) => equality(field, value));
  const equals = matchers.flatMap((matcher) => (matcher.kind === 'equals' ? matcher.values : []));
  const others = matchers.filter((matcher) => matcher.kind !== 'equals');
  const merged: Matcher[] = equals.length > 0 ? [{ kind: 'equals', values: equals }, ...others] : others;
  const tests = merged.map((matcher) => fieldTest(field, matcher, negated));
  if (tests.length === 1) return tests[0];
  return { kind: negated ? 'and' : 'or', items: tests };
}

function fieldTest(field: FieldRef, matcher: Matcher, negated: boolean): Predicate {
  const test: Predicate = { kind: 'field', field, matcher, negated: negated && matcher.kind !== 'exists' };
  return negated && matcher.kind === 'exists' ? { kind: 'not', item: test } : test;
}

/** Unquoted `*` is a wildcard: `*` alone tests presence, `prefix*` a prefix, anything else a pattern. */
function equality(field: FieldRef, value: ValueNode): Matcher {
  if (value.quoted || !value.text.includes('*')) return { kind: 'equals', values: [literal(field, value)] };
  const pattern = value.text.replace(/\*+/g, '*');
  if (pattern === '*') return { kind: 'exists' };
  requireText(field, value, 'wildcards match text');
  const star = pattern.indexOf('*');
  if (star === pattern.length - 1) return { kind: 'prefix', prefix: pattern.slice(0, -1) };
  return { kind: 'wildcard', pattern };
}

function regex(field: FieldRef, value: ValueNode): Matcher {
  if (field.kind === 'column' && field.def.type === 'time') {
    throw QueryError.at(value.pos, `${field.name} is a time; compare it with >, >=, <, <= and an RFC 3339 time instead of a regular expression`);
  }
  try {
    compileUserRegex(value.text);
  } catch (error) {
    throw QueryError.at(value.pos, `invalid regular expression "${value.text}": ${(error as Error).message}`);
  }
  return { kind: 'regex', pattern: value.text };
}

function literal(field: FieldRef, value: ValueNode): Literal {
  const number = NUMBER.test(value.text) ? Number(value.text) : undefined;
  if (field.kind === 'path') return number === undefined ? { text: value.text } : { text: value.text, number };
  switch (field.def.type) {
    case 'number':
      if (number === undefined) throw QueryError.at(value.pos, `${field.name} holds numbers; "${value.text}" is not a number`);
      return { text: value.text, number };
    case 'time': {
      const ms = parseAbsoluteTime(value.text);
      if (ms === undefined) {
        throw QueryError.at(value.pos, `${field.name} needs an RFC 3339 time (2026-01-02T15:04:05Z), a date (2026-01-02) or epoch milliseconds; got "${value.text}"`);
      }
      return { text: value.text, number: ms };
    }
    default:
      return { text: value.text };
  }
}

function requireText(field: FieldRef, value: ValueNode, what: string): void {
  if (field.kind === 'column' && (field.def.type === 'number' || field.def.type === 'time')) {
    const instead = field.def.type === 'number' ? `e.g. ${field.name}>=400 ${field.name}<500` : `compare with >= and <`;
    throw QueryError.at(value.pos, `${what}, but ${field.name} is a ${field.def.type}; ${instead}`);
  }
}

/** A lone unquoted `*` matches every event, as in other search tools. */
function textSearch(value: ValueNode): Predicate {
  if (!value.quoted && /^\*+$/.test(value.text)) return { kind: 'and', items: [] };
  const isPrefix = !value.quoted && value.text.length > 1 && value.text.indexOf('*') === value.text.length - 1;
  return { kind: 'text', text: isPrefix ? value.text.slice(0, -1) : value.text, prefix: isPrefix };
}
