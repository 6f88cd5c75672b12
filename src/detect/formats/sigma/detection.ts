import type { VigilEvent } from '../../../model/event.js';
import type { CompiledCondition, ConditionBuilder, IndexHints } from '../../condition.js';
import { anyValue, hasValue } from '../../value-tests.js';
import { identifiersMatching, parseSigmaCondition, type SigmaCondition } from './condition-parser.js';
import type { SigmaFieldTarget, SigmaLogsourceMapping } from './field-mapping.js';
import { cidrTest, couldMatchNumber, numericTest, type ParsedModifiers, parseModifiers, patternsOf, regexTest, textOf, type ValueTest, wildcardTest } from './modifiers.js';
import type { SigmaDetectionRule } from './sigma-document.js';

/**
 * Compiles a Sigma rule's `detection` into one Vigil condition. A map is the AND of its fields, a
 * list of values the OR (AND with `|all`), a list of maps the OR of the maps, plain strings are
 * keywords searched in the whole record. Parts that can never match a real event of the log
 * source (a field it never carries, a value of a type it never has) compile to "never", and the
 * reason is kept, so `vigil rules lint` can say why a rule cannot fire.
 */
export class SigmaDetectionCompiler {
  /** Why parts of the rule can never match, one line each. */
  readonly impossible: string[] = [];

  constructor(
    private readonly builder: ConditionBuilder,
    private readonly mapping: SigmaLogsourceMapping,
  ) {}

  compile(rule: SigmaDetectionRule): CompiledCondition {
    const names = [...rule.identifiers.keys()];
    const compiled = new Map<string, CompiledCondition>();
    const identifier = (name: string): CompiledCondition => {
      let condition = compiled.get(name);
      if (condition === undefined) {
        if (!rule.identifiers.has(name)) throw new Error(`condition names "${name}", which detection does not define (defined: ${names.join(', ')})`);
        condition = this.searchIdentifier(name, rule.identifiers.get(name));
        compiled.set(name, condition);
      }
      return condition;
    };
    const conditions = rule.conditions.map((text) => this.fromCondition(parseSigmaCondition(text), identifier, names));
    return this.builder.any(conditions);
  }

  private fromCondition(node: SigmaCondition, identifier: (name: string) => CompiledCondition, names: readonly string[]): CompiledCondition {
    switch (node.type) {
      case 'and':
        return this.builder.all(node.children.map((child) => this.fromCondition(child, identifier, names)));
      case 'or':
        return this.builder.any(node.children.map((child) => this.fromCondition(child, identifier, names)));
      case 'not':
        return this.builder.not(this.fromCondition(node.child, identifier, names));
      case 'identifier':
        return identifier(node.name);
      case 'of': {
        const matched = identifiersMatching(node.pattern, names);
        if (matched.length === 0) throw new Error(`"${node.count} of ${node.pattern}" matches no search identifier`);
        const parts = matched.map(identifier);
        if (node.count === 'all') return this.builder.all(parts);
        if (node.count === 1) return this.builder.any(parts);
        return this.atLeast(node.count, parts);
      }
    }
  }

  /** "N of": at least N of the parts, as the OR of every N-combination. */
  private atLeast(count: number, parts: CompiledCondition[]): CompiledCondition {
    if (count > parts.length) return this.builder.never;
    const combinations: CompiledCondition[][] = [];
    const choose = (start: number, chosen: CompiledCondition[]): void => {
      if (chosen.length === count) combinations.push(chosen);
      else for (let i = start; i < parts.length; i++) choose(i + 1, [...chosen, parts[i]]);
    };
    choose(0, []);
    return this.builder.any(combinations.map((combination) => this.builder.all(combination)));
  }

  private searchIdentifier(name: string, definition: unknown): CompiledCondition {
    if (Array.isArray(definition)) {
      if (definition.every((item) => isMap(item))) return this.builder.any(definition.map((item, i) => this.map(`${name}[${i}]`, item as Record<string, unknown>)));
      return this.keywords(name, definition, false);
    }
    if (isMap(definition)) return this.map(name, definition);
    if (isScalar(definition)) return this.keywords(name, [definition], false);
    throw new Error(`${name}: expected a map of fields, a list of maps or a list of keywords`);
  }

  private map(name: string, map: Record<string, unknown>): CompiledCondition {
    return this.builder.all(Object.entries(map).map(([key, value]) => this.fieldCondition(`${name}.${key}`, key, value)));
  }

  private fieldCondition(where: string, key: string, value: unknown): CompiledCondition {
    const [fieldName, ...modifierNames] = key.split('|');
    const modifiers = parseModifiers(modifierNames, where);
    if (modifiers.unsupported.length > 0) return this.cannot(`${where}: modifier |${modifiers.unsupported.join(', |')} needs a pipeline step Vigil does not have`);
    if (fieldName === '') return this.keywords(where, Array.isArray(value) ? value : [value], modifiers.all);
    const values = Array.isArray(value) ? value : [value];
    if (values.length === 0) throw new Error(`${where}: empty list of values`);
    const target = this.mapping.field(fieldName);
    if (modifiers.matcher === 'exists') return this.exists(where, fieldName, target, value);
    if (target === undefined) {
      // Absent is all an unknown field ever is.
      if (values.every((item) => item === null)) return this.builder.always;
      return this.cannot(`${where}: "${fieldName}" is not a field of ${this.mapping.label} events (no mapping; see src/detect/formats/sigma/README.md)`);
    }
    const parts = values.map((item) => this.valueCondition(where, target, item, modifiers));
    return modifiers.all ? this.builder.all(parts) : this.builder.any(parts);
  }

  private exists(where: string, fieldName: string, target: SigmaFieldTarget | undefined, wanted: unknown): CompiledCondition {
    if (typeof wanted !== 'boolean') throw new Error(`${where}: |exists takes true or false`);
    if (target === undefined) {
      if (!wanted) return this.builder.always;
      return this.cannot(`${where}: "${fieldName}" is not a field of ${this.mapping.label} events, so it never exists`);
    }
    const get = target.get;
    return this.builder.leaf({
      signature: `sigma:${target.path}|exists=${wanted}`,
      evaluate: wanted ? (event) => hasValue(get(event)) : (event) => !hasValue(get(event)),
      cost: 2,
    });
  }

  private valueCondition(where: string, target: SigmaFieldTarget, value: unknown, modifiers: ParsedModifiers): CompiledCondition {
    const get = target.get;
    const signature = `sigma:${target.path}|${JSON.stringify(modifiers)}=${JSON.stringify(value)}`;
    if (value === null) return this.builder.leaf({ signature, evaluate: (event) => !hasValue(get(event)), cost: 2 });
    if (!isScalar(value)) throw new Error(`${where}: expected a value or a list of values, found ${JSON.stringify(value)}`);
    if (modifiers.fieldref) return this.fieldReference(where, target, String(value), modifiers, signature);
    const reason = impossibleValue(target, value, modifiers);
    if (reason !== undefined) return this.cannot(`${where}: ${reason}`);
    const test = valueTest(value, modifiers, where);
    const matches = modifiers.neq ? (event: VigilEvent) => hasValue(get(event)) && !anyValue(get(event), test) : (event: VigilEvent) => anyValue(get(event), test);
    return this.builder.leaf({ signature, evaluate: matches, cost: modifiers.matcher === 're' ? 6 : 3, hints: hintsFor(target, value, modifiers) });
  }

  /** `field|fieldref: other`: the field's value equals (or contains, …) the other field's value. */
  private fieldReference(where: string, target: SigmaFieldTarget, otherName: string, modifiers: ParsedModifiers, signature: string): CompiledCondition {
    const other = this.mapping.field(otherName);
    if (other === undefined) return this.cannot(`${where}: |fieldref names "${otherName}", which is not a field of ${this.mapping.label} events`);
    const get = target.get;
    const getOther = other.get;
    return this.builder.leaf({
      signature,
      cost: 6,
      evaluate: (event) => {
        const references: string[] = [];
        anyValue(getOther(event), (item) => {
          const text = textOf(item);
          if (text !== undefined) references.push(text);
          return false;
        });
        if (references.length === 0) return false;
        const test = wildcardTest(references.flatMap((text) => patternsOf(escapeWildcards(text), modifiers)), modifiers.cased);
        return modifiers.neq ? !anyValue(get(event), test) : anyValue(get(event), test);
      },
    });
  }

  /** Keywords: text searched anywhere in the original record (case-insensitive, wildcards allowed). */
  private keywords(where: string, values: unknown[], all: boolean): CompiledCondition {
    if (values.length === 0) throw new Error(`${where}: empty list of keywords`);
    const parts = values.map((value) => {
      if (!isScalar(value)) throw new Error(`${where}: keywords must be strings or numbers, found ${JSON.stringify(value)}`);
      const test = wildcardTest([`*${String(value)}*`], false);
      return this.builder.leaf({ signature: `sigma:keyword=${JSON.stringify(value)}`, evaluate: (event) => test(event.record), cost: 10 });
    });
    return all ? this.builder.all(parts) : this.builder.any(parts);
  }

  private cannot(reason: string): CompiledCondition {
    this.impossible.push(reason);
    return this.builder.never;
  }
}

function valueTest(value: string | number | boolean, modifiers: ParsedModifiers, where: string): ValueTest {
  switch (modifiers.matcher) {
    case 're':
      return regexTest([String(value)], modifiers.regexFlags);
    case 'cidr':
      return cidrTest([String(value)]);
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte': {
      const bound = typeof value === 'number' ? value : Number(value);
      if (Number.isNaN(bound)) throw new Error(`${where}: |${modifiers.matcher} takes a number, found ${JSON.stringify(value)}`);
      return numericTest(modifiers.matcher, bound);
    }
    default:
      return wildcardTest(patternsOf(value, modifiers), modifiers.cased);
  }
}

/** Why a value can never match what events carry at the target, or undefined when it can. */
function impossibleValue(target: SigmaFieldTarget, value: string | number | boolean, modifiers: ParsedModifiers): string | undefined {
  if (target.type !== 'number' || modifiers.neq) return undefined;
  if (modifiers.matcher === 'cidr') return `${target.path} is a number in real events; a CIDR range never matches it`;
  if (modifiers.matcher === 're' || ['lt', 'lte', 'gt', 'gte'].includes(modifiers.matcher ?? '')) return undefined;
  if (typeof value === 'boolean') return `${target.path} is a number in real events; ${value} never equals it`;
  const patterns = patternsOf(value, modifiers);
  if (patterns.some(couldMatchNumber)) return undefined;
  return `${target.path} is a number in real events; ${JSON.stringify(value)} never equals one`;
}

/**
 * Verb and resource conditions tell the rule index which events to consider. Sigma compares
 * case-insensitively; Kubernetes verbs and resources are lower-case, so the lower-cased values
 * are what events carry.
 */
function hintsFor(target: SigmaFieldTarget, value: string | number | boolean, modifiers: ParsedModifiers): IndexHints {
  const dimension = target.path === 'verb' ? 'verb' : target.path === 'objectRef.resource' ? 'resource' : undefined;
  if (dimension === undefined || typeof value !== 'string' || /[*?\\]/.test(value)) return {};
  if (modifiers.matcher !== undefined || modifiers.transforms.length > 0 || modifiers.neq || modifiers.all) return {};
  return { [dimension]: new Set([value.toLowerCase()]) };
}

function escapeWildcards(text: string): string {
  return text.replace(/[*?\\]/g, '\\$&');
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}
