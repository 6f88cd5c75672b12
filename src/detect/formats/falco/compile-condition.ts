import type { VigilEvent } from '../../../model/event.js';
import type { CompiledCondition, ConditionBuilder, IndexHints, Predicate } from '../../condition.js';
import { compileWildcard } from '../../wildcard.js';
import { ALL_OPERATORS, type FalcoCheck, type FalcoExpression, type FalcoOperator, LIST_OPERATORS, parseFalcoCondition } from './condition-parser.js';
import { type FalcoField, falcoField } from './fields.js';
import type { FalcoExceptionSpec } from './rules-file.js';
import type { FalcoRuleSet } from './rule-set.js';

/**
 * Compiles Falco conditions of one merged rule set into Vigil conditions: macros are expanded as
 * grouped sub-expressions, list names inside `( … )` become their items, and checks that are
 * constant for every audit event (`jevt.rawtime exists`, `jevt.rawtime=0`, `x in ()`) fold away,
 * so a rule that can never fire with the loaded macros is known as such.
 */
export class FalcoConditionCompiler {
  private readonly parsedMacros = new Map<string, FalcoExpression>();
  private readonly resolvedLists = new Map<string, string[]>();

  constructor(
    private readonly set: FalcoRuleSet,
    private readonly builder: ConditionBuilder,
  ) {}

  /**
   * A rule's condition with its exceptions. `constantMacros` names the macros that turned out
   * constant (always or never true), to explain a rule that cannot fire.
   */
  compileRule(condition: string, exceptions: readonly FalcoExceptionSpec[]): { condition: CompiledCondition; constantMacros: string[] } {
    const constants = new Set<string>();
    const base = this.compile(parseFalcoCondition(condition), [], constants);
    const excepted = exceptions.map((exception) => this.compileException(exception)).filter((part) => part !== undefined);
    const compiled = excepted.length === 0 ? base : this.builder.all([base, this.builder.not(this.builder.any(excepted))]);
    return { condition: compiled, constantMacros: [...constants] };
  }

  private compile(expression: FalcoExpression, macroStack: readonly string[], constants: Set<string>): CompiledCondition {
    switch (expression.type) {
      case 'and':
        return this.builder.all(expression.children.map((child) => this.compile(child, macroStack, constants)));
      case 'or':
        return this.builder.any(expression.children.map((child) => this.compile(child, macroStack, constants)));
      case 'not':
        return this.builder.not(this.compile(expression.child, macroStack, constants));
      case 'macro':
        return this.compileMacro(expression.name, macroStack, constants);
      case 'check':
        return this.compileCheck(expression);
    }
  }

  private compileMacro(name: string, macroStack: readonly string[], constants: Set<string>): CompiledCondition {
    const macro = this.set.macros.get(name);
    if (macro === undefined) throw new Error(`undefined macro "${name}" (or a field name without an operator)`);
    if (macroStack.includes(name)) throw new Error(`macro "${name}" refers to itself through ${[...macroStack, name].join(' → ')}`);
    let parsed = this.parsedMacros.get(name);
    if (parsed === undefined) {
      try {
        parsed = parseFalcoCondition(macro.condition);
      } catch (error) {
        throw new Error(`macro "${name}" (${macro.where}): ${(error as Error).message}`);
      }
      this.parsedMacros.set(name, parsed);
    }
    const compiled = this.compile(parsed, [...macroStack, name], constants);
    if (compiled === this.builder.always || compiled === this.builder.never) constants.add(name);
    return compiled;
  }

  private compileCheck(check: FalcoCheck): CompiledCondition {
    const field = falcoField(check.field, check.arg);
    const isListOperator = (LIST_OPERATORS as readonly string[]).includes(check.operator);
    const values = isListOperator ? this.expandLists(check.values) : check.values;
    const constant = constantCheck(field, check.operator, values);
    if (constant !== undefined) return constant ? this.builder.always : this.builder.never;
    return this.builder.leaf({
      signature: `falco:${field.name} ${check.operator} ${JSON.stringify(values)}`,
      evaluate: predicateFor(field, check.operator, values),
      cost: costOf(field, check.operator),
      hints: hintsFor(field, check.operator, values),
    });
  }

  /** Items that name a list become that list's items (list names resolve recursively, earlier lists only). */
  private expandLists(values: readonly string[]): string[] {
    return values.flatMap((value) => (this.set.lists.has(value) ? this.listItems(value) : [value]));
  }

  private listItems(name: string): string[] {
    const cached = this.resolvedLists.get(name);
    if (cached !== undefined) return cached;
    const list = this.set.lists.get(name);
    if (list === undefined) return [name];
    const items = list.items.flatMap((item) => {
      const inner = this.set.lists.get(item);
      return inner !== undefined && inner.order < list.order ? this.listItems(item) : [item];
    });
    this.resolvedLists.set(name, items);
    return items;
  }

  /**
   * `fields: [a, b], comps: [=, in], values: [[x, [y, z]]]` excludes events where a = x and b in
   * (y, z); a single field takes plain values and compares with `in` by default.
   */
  private compileException(exception: FalcoExceptionSpec): CompiledCondition | undefined {
    if (exception.values.length === 0 || exception.fields === undefined) return undefined;
    if (typeof exception.fields === 'string') {
      const comp = (typeof exception.comps === 'string' ? exception.comps : exception.comps?.[0]) ?? 'in';
      const values = exception.values.map((value) => scalarText(value, exception.name));
      return this.compileCheck(checkOf(exception.fields, comp, values, exception.name));
    }
    const fields = exception.fields;
    const comps = typeof exception.comps === 'string' ? fields.map(() => exception.comps as string) : (exception.comps ?? fields.map(() => '='));
    if (comps.length !== fields.length) throw new Error(`exception "${exception.name}": ${fields.length} fields but ${comps.length} comps`);
    const tuples = exception.values.map((tuple, i) => {
      if (!Array.isArray(tuple) || tuple.length !== fields.length) throw new Error(`exception "${exception.name}": values[${i}] must be a list of ${fields.length} value(s), one per field`);
      return this.builder.all(
        fields.map((field, j) => {
          const isList = (LIST_OPERATORS as readonly string[]).includes(comps[j]);
          const cell = tuple[j];
          const values = isList ? (Array.isArray(cell) ? cell.map((item) => scalarText(item, exception.name)) : [scalarText(cell, exception.name)]) : [scalarText(cell, exception.name)];
          return this.compileCheck(checkOf(field, comps[j], values, exception.name));
        }),
      );
    });
    return this.builder.any(tuples);
  }
}

function checkOf(fieldText: string, comp: string, values: string[], exceptionName: string): FalcoCheck {
  const match = /^([A-Za-z_][A-Za-z0-9_.]*)(?:\[(.*)\])?$/.exec(fieldText.trim());
  if (match === null) throw new Error(`exception "${exceptionName}": "${fieldText}" is not a field`);
  if (!(ALL_OPERATORS as readonly string[]).includes(comp)) throw new Error(`exception "${exceptionName}": "${comp}" is not an operator`);
  const operator = comp as FalcoOperator;
  return { type: 'check', field: match[1], arg: match[2], operator, values: operator === 'exists' ? [] : values };
}

function scalarText(value: unknown, exceptionName: string): string {
  if (typeof value === 'string') return value;
  throw new Error(`exception "${exceptionName}": expected a value, found ${JSON.stringify(value)}`);
}

/** Checks whose answer is the same for every audit event; undefined when it depends on the event. */
function constantCheck(field: FalcoField, operator: FalcoOperator, values: readonly string[]): boolean | undefined {
  if ((LIST_OPERATORS as readonly string[]).includes(operator) && values.length === 0) return false;
  if (!field.numeric) return undefined;
  // Every event has a time, and none at the epoch.
  if (operator === 'exists') return true;
  if ((operator === '=' || operator === '==') && values[0] === '0') return false;
  return undefined;
}

function costOf(field: FalcoField, operator: FalcoOperator): number {
  const base = field.name.startsWith('ka.req.') || field.name.startsWith('jevt.obj') || field.name.startsWith('json.obj') ? 5 : 2;
  return base + (operator === 'regex' || operator === 'glob' || operator === 'iglob' ? 4 : 0);
}

const INDEXED: Record<string, keyof IndexHints> = { 'ka.verb': 'verb', 'ka.target.resource': 'resource' };

function hintsFor(field: FalcoField, operator: FalcoOperator, values: readonly string[]): IndexHints {
  const dimension = INDEXED[field.name];
  if (dimension === undefined || !['=', '==', 'in', 'intersects'].includes(operator)) return {};
  return { [dimension]: new Set(values) };
}

function predicateFor(field: FalcoField, operator: FalcoOperator, values: readonly string[]): Predicate {
  const extract = field.extract;
  if (operator === 'exists') return (event) => extract(event) !== undefined;
  if (operator === 'in' || operator === 'intersects') {
    const set = new Set(values);
    const every = operator === 'in';
    return (event) => {
      const value = extract(event);
      if (value === undefined) return false;
      if (typeof value === 'string') return set.has(value);
      return every ? value.every((item) => set.has(item)) : value.some((item) => set.has(item));
    };
  }
  const test = operator === 'pmatch' ? pathPrefixTest(values) : scalarTest(operator, values[0], field.numeric);
  return (event: VigilEvent) => {
    const value = extract(event);
    if (value === undefined) return false;
    return typeof value === 'string' ? test(value) : value.some(test);
  };
}

type TextTest = (value: string) => boolean;

function scalarTest(operator: FalcoOperator, rhs: string, numeric: boolean): TextTest {
  switch (operator) {
    case '=':
    case '==':
      return numeric ? (value) => compareNumbers(value, rhs) === 0 : (value) => value === rhs;
    case '!=':
      return numeric ? (value) => compareNumbers(value, rhs) !== 0 : (value) => value !== rhs;
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const accept = ORDER[operator];
      return numeric ? (value) => accept(compareNumbers(value, rhs)) : (value) => accept(value < rhs ? -1 : value > rhs ? 1 : 0);
    }
    case 'contains':
      return (value) => value.includes(rhs);
    case 'icontains': {
      const lower = rhs.toLowerCase();
      return (value) => value.toLowerCase().includes(lower);
    }
    case 'bcontains':
    case 'bstartswith': {
      const bytes = Buffer.from(rhs, 'hex');
      return operator === 'bcontains' ? (value) => Buffer.from(value).includes(bytes) : (value) => Buffer.from(value).subarray(0, bytes.length).equals(bytes);
    }
    case 'startswith':
      return (value) => value.startsWith(rhs);
    case 'endswith':
      return (value) => value.endsWith(rhs);
    case 'glob':
    case 'iglob': {
      const regex = globRegex(rhs, operator === 'iglob');
      return (value) => regex.test(value);
    }
    case 'regex': {
      const regex = new RegExp(`^(?:${rhs})$`, 's');
      return (value) => regex.test(value);
    }
    default:
      throw new Error(`operator ${operator} needs a list of values`);
  }
}

const ORDER: Record<'<' | '<=' | '>' | '>=', (comparison: number) => boolean> = {
  '<': (c) => c < 0,
  '<=': (c) => c <= 0,
  '>': (c) => c > 0,
  '>=': (c) => c >= 0,
};

/** Integers of any size (`jevt.rawtime` is in nanoseconds); NaN when either side is not a number. */
function compareNumbers(left: string, right: string): number {
  if (/^-?\d+$/.test(left) && /^-?\d+$/.test(right)) {
    const a = BigInt(left);
    const b = BigInt(right);
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const a = Number(left);
  const b = Number(right);
  return Number.isNaN(a) || Number.isNaN(b) ? Number.NaN : a - b;
}

/** fnmatch-style glob over the whole value: `*`, `?` and `[…]` classes (`[!…]` negated). */
function globRegex(pattern: string, caseInsensitive: boolean): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else if (char === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) source += '\\[';
      else {
        const body = pattern.slice(i + 1, close);
        source += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
        i = close;
      }
    } else source += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, caseInsensitive ? 'is' : 's');
}

/**
 * `pmatch`: the value is one of the paths or lies below one, component by component
 * (`/tmp/hello` matches `/tmp/hello/world`, not `/tmp/hello_world`); `*` and `?` in a prefix match
 * within one component.
 */
function pathPrefixTest(prefixes: readonly string[]): TextTest {
  const compiled = prefixes.map((prefix) => {
    const trimmed = prefix.length > 1 && prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
    return (trimmed === '/' ? [''] : trimmed.split('/')).map((part) => compileWildcard(part, false));
  });
  return (value) => {
    const parts = value.split('/');
    return compiled.some((prefix) => prefix.length <= parts.length && prefix.every((matches, i) => matches(parts[i])));
  };
}
