import type { VigilEvent } from '../model/event.js';
import { compileField, type CompiledField } from './field-access.js';
import {
  anyValue,
  cidrTest,
  equalityTest,
  everyValue,
  hasValue,
  numericTest,
  textTest,
  type NumericOperator,
  type Scalar,
  type TextOperator,
  type ValueTest,
} from './value-tests.js';

export type Predicate = (event: VigilEvent) => boolean;

/**
 * What a condition guarantees about every event it accepts, so the engine can skip rules by
 * verb and resource without running them. Undefined means "any".
 */
export interface IndexHints {
  verbs?: ReadonlySet<string>;
  resources?: ReadonlySet<string>;
}

export interface CompiledCondition {
  test: Predicate;
  /** Rough evaluation cost, used to run cheap checks of a conjunction first. */
  cost: number;
  hints: IndexHints;
  /** Canonical text of the condition: equal signatures mean equal conditions. */
  signature: string;
}

/** A mistake in a condition, with the key path inside the rule where it sits. */
export class ConditionError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
  }
}

export type NamedLists = ReadonlyMap<string, readonly Scalar[]>;

/**
 * Compiled conditions of one rule set by signature. Rules share identical sub-conditions
 * (`stage: ResponseComplete`, `not: {actor: [node, controller]}`, a whole copied `match`), and
 * each shared condition remembers its result for the last event, so it runs once per event
 * however many rules contain it.
 */
export type ConditionCache = Map<string, CompiledCondition>;

interface Context {
  lists: NamedLists;
  cache: ConditionCache;
}

const OPERATORS = ['eq', 'contains', 'startswith', 'endswith', 'wildcard', 'regex', 'cidr', 'exists', 'gt', 'gte', 'lt', 'lte'] as const;
type Operator = (typeof OPERATORS)[number];
const FLAGS = ['all', 'any', 'i', 'cased'] as const;
type Flag = (typeof FLAGS)[number];

const ALWAYS: CompiledCondition = { test: () => true, cost: 0, hints: {}, signature: 'true' };

/**
 * Compiles a condition written in rule YAML into one closure. A mapping is the AND of its
 * entries; `all:` / `any:` take lists, `not:` one condition; a list where a condition is expected
 * means any of its items; every other key is `field[|operator][|flag…]: value(s)`.
 */
export function compileCondition(node: unknown, lists: NamedLists, key: string, cache: ConditionCache = new Map()): CompiledCondition {
  return compileNode(node, { lists, cache }, key);
}

function compileNode(node: unknown, context: Context, key: string): CompiledCondition {
  if (node === undefined || node === null) return ALWAYS;
  if (Array.isArray(node)) return anyOf(node.map((item, i) => compileNode(item, context, `${key}[${i}]`)), context);
  if (typeof node !== 'object') {
    throw new ConditionError(key, `expected a mapping of field conditions or all/any/not, found ${JSON.stringify(node)}`);
  }
  const parts: CompiledCondition[] = [];
  for (const [entryKey, value] of Object.entries(node as Record<string, unknown>)) {
    const path = `${key}.${entryKey}`;
    const children = (): CompiledCondition[] => listOf(value, path).map((item, i) => compileNode(item, context, `${path}[${i}]`));
    if (entryKey === 'all') parts.push(allOf(children(), context));
    else if (entryKey === 'any') parts.push(anyOf(children(), context));
    else if (entryKey === 'not') parts.push(negate(compileNode(value, context, path), context));
    else parts.push(compileFieldCondition(entryKey, value, context, path));
  }
  return allOf(parts, context);
}

function listOf(value: unknown, key: string): unknown[] {
  if (!Array.isArray(value) || value.length === 0) throw new ConditionError(key, 'expected a non-empty list of conditions');
  return value;
}

/** Returns the cached condition with this signature, or caches a new one with a per-event memo. */
function shared(context: Context, signature: string, build: () => Omit<CompiledCondition, 'signature'>): CompiledCondition {
  const cached = context.cache.get(signature);
  if (cached !== undefined) return cached;
  const built = build();
  const condition = { ...built, test: rememberLast(built.test), signature };
  context.cache.set(signature, condition);
  return condition;
}

function rememberLast(test: Predicate): Predicate {
  let lastEvent: VigilEvent | undefined;
  let lastResult = false;
  return (event) => {
    if (event !== lastEvent) {
      lastResult = test(event);
      lastEvent = event;
    }
    return lastResult;
  };
}

function allOf(parts: CompiledCondition[], context: Context): CompiledCondition {
  if (parts.length === 0) return ALWAYS;
  if (parts.length === 1) return parts[0];
  const ordered = [...parts].sort((a, b) => a.cost - b.cost);
  return shared(context, `all(${ordered.map((part) => part.signature).sort().join(',')})`, () => {
    const tests = ordered.map((part) => part.test);
    const test: Predicate =
      tests.length === 2
        ? ((first, second) => (event: VigilEvent) => first(event) && second(event))(tests[0], tests[1])
        : (event) => {
            for (const part of tests) if (!part(event)) return false;
            return true;
          };
    return { test, cost: sum(parts), hints: intersectHints(parts.map((part) => part.hints)) };
  });
}

function anyOf(parts: CompiledCondition[], context: Context): CompiledCondition {
  if (parts.length === 1) return parts[0];
  const ordered = [...parts].sort((a, b) => a.cost - b.cost);
  return shared(context, `any(${ordered.map((part) => part.signature).sort().join(',')})`, () => {
    const tests = ordered.map((part) => part.test);
    const test: Predicate = (event) => {
      for (const part of tests) if (part(event)) return true;
      return false;
    };
    return { test, cost: sum(parts), hints: unionHints(parts.map((part) => part.hints)) };
  });
}

function negate(part: CompiledCondition, context: Context): CompiledCondition {
  return shared(context, `not(${part.signature})`, () => {
    const inner = part.test;
    return { test: (event: VigilEvent) => !inner(event), cost: part.cost, hints: {} };
  });
}

const sum = (parts: CompiledCondition[]): number => parts.reduce((total, part) => total + part.cost, 0);

function intersectHints(all: IndexHints[]): IndexHints {
  const pick = (choose: (hints: IndexHints) => ReadonlySet<string> | undefined): ReadonlySet<string> | undefined => {
    let result: Set<string> | undefined;
    for (const hints of all) {
      const set = choose(hints);
      if (set === undefined) continue;
      result = result === undefined ? new Set(set) : new Set([...result].filter((item) => set.has(item)));
    }
    return result;
  };
  return { verbs: pick((hints) => hints.verbs), resources: pick((hints) => hints.resources) };
}

function unionHints(all: IndexHints[]): IndexHints {
  const pick = (choose: (hints: IndexHints) => ReadonlySet<string> | undefined): ReadonlySet<string> | undefined => {
    const result = new Set<string>();
    for (const hints of all) {
      const set = choose(hints);
      if (set === undefined) return undefined;
      for (const item of set) result.add(item);
    }
    return result;
  };
  return { verbs: pick((hints) => hints.verbs), resources: pick((hints) => hints.resources) };
}

function parseKey(entryKey: string, key: string): { field: string; operator: Operator; flags: Set<Flag> } {
  const [field, ...modifiers] = entryKey.split('|');
  let operator: Operator = 'eq';
  const flags = new Set<Flag>();
  for (const modifier of modifiers) {
    if ((FLAGS as readonly string[]).includes(modifier)) flags.add(modifier as Flag);
    else if ((OPERATORS as readonly string[]).includes(modifier) && operator === 'eq') operator = modifier as Operator;
    else {
      throw new ConditionError(
        key,
        `unknown or repeated modifier "${modifier}"; operators: ${OPERATORS.join(', ')}; flags: ${FLAGS.join(', ')}`,
      );
    }
  }
  if (field === '') throw new ConditionError(key, 'missing field name before "|"');
  if (flags.has('all') && flags.has('any')) throw new ConditionError(key, 'use either |all or |any, not both');
  return { field, operator, flags };
}

function compileFieldCondition(entryKey: string, value: unknown, context: Context, key: string): CompiledCondition {
  const { field: fieldName, operator, flags } = parseKey(entryKey, key);
  let field: CompiledField;
  try {
    field = compileField(fieldName);
  } catch (error) {
    throw new ConditionError(key, (error as Error).message);
  }
  const baseCost = field.kind === 'normalized' ? 1 : 4;
  if (operator === 'exists' || value === null) {
    const wanted = operator === 'exists' ? value : false;
    if (typeof wanted !== 'boolean') throw new ConditionError(key, `|exists takes true or false, found ${JSON.stringify(wanted)}`);
    return shared(context, `${field.canonical}|exists=${wanted}`, () => existsCondition(field, wanted, baseCost));
  }
  const constants = constantsOf(value, context.lists, key);
  const signature = `${field.canonical}|${operator}|${[...flags].sort().join('|')}=${JSON.stringify(constants)}`;
  const valueTest = valueTestFor(operator, constants, flags, key);
  return shared(context, signature, () => ({
    test: fieldTest(field, valueTest, flags.has('all')),
    cost: baseCost + (operator === 'eq' ? 0 : operator === 'regex' ? 4 : 1),
    hints: hintsFor(field.canonical, operator, flags, constants),
  }));
}

function fieldTest(field: CompiledField, valueTest: ValueTest, all: boolean): Predicate {
  const get = field.get;
  if (!field.multiValued) {
    return (event) => {
      const value = get(event);
      return value !== undefined && valueTest(value);
    };
  }
  return all ? (event) => everyValue(get(event), valueTest) : (event) => anyValue(get(event), valueTest);
}

function existsCondition(field: CompiledField, wanted: boolean, cost: number): Omit<CompiledCondition, 'signature'> {
  const get = field.get;
  const test: Predicate = wanted ? (event) => hasValue(get(event)) : (event) => !hasValue(get(event));
  return { test, cost, hints: {} };
}

function constantsOf(value: unknown, lists: NamedLists, key: string): Scalar[] {
  const items = Array.isArray(value) ? value : [value];
  const constants: Scalar[] = [];
  for (const item of items) {
    if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') constants.push(item);
    else if (item !== null && typeof item === 'object' && typeof (item as { list?: unknown }).list === 'string') {
      const name = (item as { list: string }).list;
      const list = lists.get(name);
      if (list === undefined) throw new ConditionError(key, `unknown list "${name}"; define it under "lists:" in a rule file`);
      constants.push(...list);
    } else {
      throw new ConditionError(key, `expected a string, number, boolean, a list of them or {list: NAME}, found ${JSON.stringify(item)}`);
    }
  }
  if (constants.length === 0) throw new ConditionError(key, 'empty list of values: the condition could never match');
  return constants;
}

function valueTestFor(operator: Operator, constants: Scalar[], flags: Set<Flag>, key: string): ValueTest {
  const patternsIgnoreCase = !flags.has('cased');
  try {
    switch (operator) {
      case 'eq':
        return equalityTest(constants, flags.has('i'));
      case 'contains':
      case 'startswith':
      case 'endswith':
      case 'wildcard':
      case 'regex':
        return textTest(operator as TextOperator, constants.map(String), patternsIgnoreCase);
      case 'cidr':
        return cidrTest(constants.map(String));
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte':
        if (constants.length !== 1 || typeof constants[0] !== 'number') {
          throw new ConditionError(key, `|${operator} takes one number, found ${JSON.stringify(constants)}`);
        }
        return numericTest(operator as NumericOperator, constants[0]);
      case 'exists':
        throw new ConditionError(key, '|exists is handled separately');
    }
  } catch (error) {
    if (error instanceof ConditionError) throw error;
    throw new ConditionError(key, (error as Error).message);
  }
}

function hintsFor(canonical: string, operator: Operator, flags: Set<Flag>, constants: Scalar[]): IndexHints {
  if (operator !== 'eq' || flags.has('i') || flags.has('all')) return {};
  const values = new Set(constants.map(String));
  if (canonical === 'event.action') return { verbs: values };
  if (canonical === 'orchestrator.resource.type') return { resources: values };
  return {};
}
