import { CidrSet } from './cidr.js';
import { compileWildcard } from './wildcard.js';

/** Tests one scalar (or object) value taken from an event; arrays are unrolled by the caller. */
export type ValueTest = (value: unknown) => boolean;

export type Scalar = string | number | boolean;

/**
 * Exact equality against a set of constants. Numbers, booleans and strings compare by their text
 * (`code: 403` matches 403 and "403", `privileged: true` matches true and "true") without
 * converting the event's value on the hot path.
 */
export function equalityTest(constants: readonly Scalar[], caseInsensitive: boolean): ValueTest {
  const texts = new Set<string>();
  const numbers = new Set<number>();
  for (const constant of constants) {
    const text = String(constant);
    texts.add(caseInsensitive ? text.toLowerCase() : text);
    const number = typeof constant === 'number' ? constant : text.trim() === '' ? NaN : Number(text);
    if (!Number.isNaN(number)) numbers.add(number);
  }
  if (texts.size === 1 && !caseInsensitive) {
    const [only] = texts;
    return (value) => (typeof value === 'string' ? value === only : scalarEquals(value, texts, numbers));
  }
  return (value) => {
    if (typeof value === 'string') return texts.has(caseInsensitive ? value.toLowerCase() : value);
    return scalarEquals(value, texts, numbers);
  };
}

function scalarEquals(value: unknown, texts: Set<string>, numbers: Set<number>): boolean {
  if (typeof value === 'number') return numbers.has(value);
  if (typeof value === 'boolean') return texts.has(value ? 'true' : 'false');
  return false;
}

export type TextOperator = 'contains' | 'startswith' | 'endswith' | 'wildcard' | 'regex';

/** Substring, prefix, suffix, wildcard or regex over the value's text; objects match on their JSON text. */
export function textTest(operator: TextOperator, patterns: readonly string[], caseInsensitive: boolean): ValueTest {
  const tests = patterns.map((pattern) => textPredicate(operator, pattern, caseInsensitive));
  const single = tests.length === 1 ? tests[0] : undefined;
  return (value) => {
    const text = textOf(value);
    if (text === undefined) return false;
    const subject = caseInsensitive && operator !== 'regex' ? text.toLowerCase() : text;
    if (single !== undefined) return single(subject);
    for (const test of tests) if (test(subject)) return true;
    return false;
  };
}

function textPredicate(operator: TextOperator, pattern: string, caseInsensitive: boolean): (text: string) => boolean {
  const needle = caseInsensitive ? pattern.toLowerCase() : pattern;
  switch (operator) {
    case 'contains':
      return (text) => text.includes(needle);
    case 'startswith':
      return (text) => text.startsWith(needle);
    case 'endswith':
      return (text) => text.endsWith(needle);
    case 'wildcard':
      return compileWildcard(pattern, caseInsensitive);
    case 'regex': {
      const regex = compileRegex(pattern, caseInsensitive);
      return (text) => regex.test(text);
    }
  }
}

function compileRegex(pattern: string, caseInsensitive: boolean): RegExp {
  try {
    return new RegExp(pattern, caseInsensitive ? 'i' : '');
  } catch (error) {
    throw new Error(`invalid regex /${pattern}/: ${(error as Error).message}`);
  }
}

function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return undefined;
}

export function cidrTest(cidrs: readonly string[]): ValueTest {
  const set = new CidrSet(cidrs);
  return (value) => typeof value === 'string' && set.has(value);
}

export type NumericOperator = 'gt' | 'gte' | 'lt' | 'lte';

export function numericTest(operator: NumericOperator, bound: number): ValueTest {
  const compare = {
    gt: (n: number) => n > bound,
    gte: (n: number) => n >= bound,
    lt: (n: number) => n < bound,
    lte: (n: number) => n <= bound,
  }[operator];
  return (value) => {
    const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
    return !Number.isNaN(number) && compare(number);
  };
}

/** True when any value (arrays unrolled, null and undefined skipped) passes. */
export function anyValue(value: unknown, test: ValueTest): boolean {
  if (value === undefined || value === null) return false;
  if (Array.isArray(value)) {
    for (const item of value) if (anyValue(item, test)) return true;
    return false;
  }
  return test(value);
}

/** True when there is at least one value and every value passes. */
export function everyValue(value: unknown, test: ValueTest): boolean {
  let seen = 0;
  const visit = (item: unknown): boolean => {
    if (item === undefined || item === null) return true;
    if (Array.isArray(item)) return item.every(visit);
    seen++;
    return test(item);
  };
  return visit(value) && seen > 0;
}

export function hasValue(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (Array.isArray(value)) return value.some(hasValue);
  return true;
}
