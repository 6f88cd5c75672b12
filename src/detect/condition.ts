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

/** The event properties the rule index files rules under (see rule-index.ts). */
export const INDEX_DIMENSIONS = ['verb', 'resource', 'actor'] as const;
export type IndexDimension = (typeof INDEX_DIMENSIONS)[number];

const DIMENSION_OF_FIELD: Record<string, IndexDimension> = {
  'event.action': 'verb',
  'orchestrator.resource.type': 'resource',
  'vigil.actor.kind': 'actor',
};

/** Every value `vigil.actor.kind` can take; '' stands for events without an actor. */
export const ACTOR_VALUES: readonly string[] = ['human', 'serviceaccount', 'node', 'controller', 'anonymous', ''];

/**
 * What a condition guarantees about every event it accepts — the verbs, resources or actor
 * kinds it can match — so the engine can skip rules without running them. Absent means "any".
 */
export type IndexHints = Partial<Record<IndexDimension, ReadonlySet<string>>>;

export interface CompiledCondition {
  /** Evaluates the condition; remembers its last result once a second rule shares it. */
  test: Predicate;
  /** The evaluation itself, without memory. */
  evaluate: Predicate;
  /** Rough evaluation cost, used to run cheap checks of a conjunction first. */
  cost: number;
  hints: IndexHints;
  /** Set when the condition is exactly "actor kind is one of these", so `not` can invert it. */
  exactActors?: ReadonlySet<string>;
  /** Canonical text of the condition: equal signatures mean equal conditions. */
  signature: string;
  /** How many places use this compiled condition. */
  uses: number;
}

type ConditionParts = Pick<CompiledCondition, 'evaluate' | 'cost' | 'hints' | 'exactActors'>;

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

const ALWAYS: CompiledCondition = { test: () => true, evaluate: () => true, cost: 0, hints: {}, signature: 'true', uses: 0 };
const NEVER: CompiledCondition = { test: () => false, evaluate: () => false, cost: 0, hints: {}, signature: 'false', uses: 0 };

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
  if (node instanceof ImportedCondition) return node.condition;
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

/**
 * A condition an importer (Sigma, Falco) compiled from its own language with a `ConditionBuilder`,
 * passed as a rule's `match` so `compileRule` takes it as it is.
 */
export class ImportedCondition {
  constructor(readonly condition: CompiledCondition) {}

  /** The definition hash of a rule covers the condition through its signature. */
  toJSON(): string {
    return this.condition.signature;
  }
}

/** A leaf condition written by an importer: its own test, named by a canonical signature. */
export interface LeafCondition {
  signature: string;
  evaluate: Predicate;
  cost: number;
  hints?: IndexHints;
}

/**
 * Builds conditions from parts with the same sharing as Vigil's own conditions: parts with equal
 * signatures are compiled once per rule set and evaluated once per event, whichever rules use them.
 */
/** Constant parts fold away: `all` with a never-true part is never true, `any` with an always-true part always. */
export interface ConditionBuilder {
  leaf(leaf: LeafCondition): CompiledCondition;
  all(parts: CompiledCondition[]): CompiledCondition;
  any(parts: CompiledCondition[]): CompiledCondition;
  not(part: CompiledCondition): CompiledCondition;
  readonly always: CompiledCondition;
  readonly never: CompiledCondition;
}

export function conditionBuilder(cache: ConditionCache): ConditionBuilder {
  const context: Context = { lists: new Map(), cache };
  return {
    leaf: ({ signature, evaluate, cost, hints }) => shared(context, signature, () => ({ evaluate, cost, hints: hints ?? {} })),
    all: (parts) => {
      if (parts.includes(NEVER)) return NEVER;
      return allOf(parts.filter((part) => part !== ALWAYS), context);
    },
    any: (parts) => {
      if (parts.includes(ALWAYS)) return ALWAYS;
      const possible = parts.filter((part) => part !== NEVER);
      return possible.length === 0 ? NEVER : anyOf(possible, context);
    },
    not: (part) => (part === ALWAYS ? NEVER : part === NEVER ? ALWAYS : negate(part, context)),
    always: ALWAYS,
    never: NEVER,
  };
}

function listOf(value: unknown, key: string): unknown[] {
  if (!Array.isArray(value) || value.length === 0) throw new ConditionError(key, 'expected a non-empty list of conditions');
  return value;
}

/**
 * Returns the cached condition with this signature, or caches a new one. On its second use a
 * condition starts remembering its result for the last event; parents call `part.test` through
 * the object, so they pick that up.
 */
function shared(context: Context, signature: string, build: () => ConditionParts): CompiledCondition {
  const cached = context.cache.get(signature);
  if (cached !== undefined) {
    cached.uses++;
    if (cached.uses === 2) cached.test = rememberLast(cached.evaluate);
    return cached;
  }
  const built = build();
  const condition: CompiledCondition = { ...built, test: built.evaluate, signature, uses: 1 };
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
    const [first, second] = ordered;
    const evaluate: Predicate =
      ordered.length === 2
        ? (event) => first.test(event) && second.test(event)
        : (event) => {
            for (const part of ordered) if (!part.test(event)) return false;
            return true;
          };
    return { evaluate, cost: sum(parts), hints: intersectHints(parts.map((part) => part.hints)) };
  });
}

function anyOf(parts: CompiledCondition[], context: Context): CompiledCondition {
  if (parts.length === 1) return parts[0];
  const ordered = [...parts].sort((a, b) => a.cost - b.cost);
  return shared(context, `any(${ordered.map((part) => part.signature).sort().join(',')})`, () => {
    const evaluate: Predicate = (event) => {
      for (const part of ordered) if (part.test(event)) return true;
      return false;
    };
    return { evaluate, cost: sum(parts), hints: unionHints(parts.map((part) => part.hints)) };
  });
}

/** `not` guarantees nothing, except that `not: {actor: [...]}` leaves the other actor kinds. */
function negate(part: CompiledCondition, context: Context): CompiledCondition {
  return shared(context, `not(${part.signature})`, () => {
    const excluded = part.exactActors;
    const hints: IndexHints = excluded ? { actor: new Set(ACTOR_VALUES.filter((actor) => !excluded.has(actor))) } : {};
    return { evaluate: (event: VigilEvent) => !part.test(event), cost: part.cost, hints };
  });
}

const sum = (parts: CompiledCondition[]): number => parts.reduce((total, part) => total + part.cost, 0);

function intersectHints(all: IndexHints[]): IndexHints {
  const hints: IndexHints = {};
  for (const dimension of INDEX_DIMENSIONS) {
    let result: Set<string> | undefined;
    for (const set of all.map((part) => part[dimension])) {
      if (set === undefined) continue;
      result = result === undefined ? new Set(set) : new Set([...result].filter((item) => set.has(item)));
    }
    if (result !== undefined) hints[dimension] = result;
  }
  return hints;
}

function unionHints(all: IndexHints[]): IndexHints {
  const hints: IndexHints = {};
  for (const dimension of INDEX_DIMENSIONS) {
    const sets = all.map((part) => part[dimension]);
    if (sets.every((set) => set !== undefined)) hints[dimension] = new Set(sets.flatMap((set) => [...(set ?? [])]));
  }
  return hints;
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
  const hints = hintsFor(field.canonical, operator, flags, constants);
  return shared(context, signature, () => ({
    evaluate: fieldTest(field, valueTest, flags.has('all')),
    cost: baseCost + (operator === 'eq' ? 0 : operator === 'regex' ? 4 : 1),
    hints,
    exactActors: hints.actor,
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

function existsCondition(field: CompiledField, wanted: boolean, cost: number): ConditionParts {
  const get = field.get;
  const evaluate: Predicate = wanted ? (event) => hasValue(get(event)) : (event) => !hasValue(get(event));
  return { evaluate, cost, hints: {} };
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
  const dimension = DIMENSION_OF_FIELD[canonical];
  if (dimension === undefined || operator !== 'eq' || flags.has('i') || flags.has('all')) return {};
  return { [dimension]: new Set(constants.map(String)) };
}
