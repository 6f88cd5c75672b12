import type { FalcoExceptionSpec, FalcoItem, FalcoRuleFields, OverrideMode } from './rules-file.js';

/**
 * The lists, macros and rules of several Falco rules files merged in load order, as Falco merges
 * them: a later definition replaces an earlier one in place, `append: true` extends it (list items,
 * macro and rule conditions as text, rule exceptions), `override:` appends to or replaces single
 * keys, and a rule item with only `enabled` switches an existing rule on or off.
 */

export interface FalcoList {
  name: string;
  items: string[];
  /** Definition order: a list may only name lists defined before it. */
  order: number;
  where: string;
}

export interface FalcoMacro {
  name: string;
  condition: string;
  where: string;
}

export interface FalcoRule {
  name: string;
  condition: string;
  output: string;
  desc: string;
  priority: string;
  source: string;
  tags: string[];
  enabled: boolean;
  exceptions: FalcoExceptionSpec[];
  where: string;
  origin: string;
}

export interface FalcoRuleSet {
  lists: Map<string, FalcoList>;
  macros: Map<string, FalcoMacro>;
  rules: Map<string, FalcoRule>;
  /** Problems that stop the set from loading, each naming file, item and key. */
  problems: string[];
  /** Leniencies worth telling (a list appended to before any file defined it). */
  warnings: string[];
}

const OVERRIDABLE: Record<'list' | 'macro' | 'rule', Record<string, readonly OverrideMode[]>> = {
  list: { items: ['append', 'replace'] },
  macro: { condition: ['append', 'replace'] },
  rule: {
    condition: ['append', 'replace'],
    output: ['append', 'replace'],
    desc: ['append', 'replace'],
    priority: ['replace'],
    tags: ['append', 'replace'],
    exceptions: ['append', 'replace'],
    enabled: ['replace'],
    source: ['replace'],
  },
};

export function mergeFalcoItems(items: readonly FalcoItem[]): FalcoRuleSet {
  const set: FalcoRuleSet = { lists: new Map(), macros: new Map(), rules: new Map(), problems: [], warnings: [] };
  let order = 0;
  for (const item of items) {
    try {
      switch (item.kind) {
        case 'list':
          mergeList(set, item, order++);
          break;
        case 'macro':
          mergeMacro(set, item);
          break;
        case 'rule':
          mergeRule(set, item);
          break;
        default:
          break;
      }
    } catch (error) {
      set.problems.push((error as Error).message);
    }
  }
  return set;
}

function checkOverride(kind: 'list' | 'macro' | 'rule', override: Record<string, OverrideMode>, where: string): void {
  for (const [key, mode] of Object.entries(override)) {
    const allowed = OVERRIDABLE[kind][key];
    if (allowed === undefined) throw new Error(`${where}: override.${key}: a ${kind}'s ${key} cannot be overridden`);
    if (!allowed.includes(mode)) throw new Error(`${where}: override.${key}: ${mode} is not allowed, only ${allowed.join(' or ')}`);
  }
}

function mergeList(set: FalcoRuleSet, item: Extract<FalcoItem, { kind: 'list' }>, order: number): void {
  checkOverride('list', item.override, item.where);
  const previous = set.lists.get(item.name);
  const mode = item.append ? 'append' : item.override.items;
  if (mode === undefined) {
    if (item.items === undefined) throw new Error(`${item.where}: a list needs "items"`);
    set.lists.set(item.name, { name: item.name, items: [...item.items], order: previous?.order ?? order, where: item.where });
    return;
  }
  if (previous === undefined) {
    // Falco refuses this; the defining file is often the syscall-only falco_rules.yaml that a
    // k8s_audit rule set does without, so the list starts here instead.
    set.warnings.push(`${item.where}: appends to list "${item.name}", which no earlier file defines; it starts as a new list`);
    set.lists.set(item.name, { name: item.name, items: [...(item.items ?? [])], order, where: item.where });
    return;
  }
  previous.items = mode === 'append' ? [...previous.items, ...(item.items ?? [])] : [...(item.items ?? [])];
}

function mergeMacro(set: FalcoRuleSet, item: Extract<FalcoItem, { kind: 'macro' }>): void {
  checkOverride('macro', item.override, item.where);
  const previous = set.macros.get(item.name);
  const mode = item.append ? 'append' : item.override.condition;
  if (item.condition === undefined) throw new Error(`${item.where}: a macro needs "condition"`);
  if (mode === undefined) {
    set.macros.set(item.name, { name: item.name, condition: item.condition, where: item.where });
    return;
  }
  if (previous === undefined) throw new Error(`${item.where}: appends to macro "${item.name}", which no earlier item defines`);
  previous.condition = mode === 'append' ? `${previous.condition} ${item.condition}` : item.condition;
}

function mergeRule(set: FalcoRuleSet, item: Extract<FalcoItem, { kind: 'rule' }>): void {
  checkOverride('rule', item.override, item.where);
  const previous = set.rules.get(item.name);
  const fields = item.fields;
  if (item.append || Object.keys(item.override).length > 0) {
    if (previous === undefined) throw new Error(`${item.where}: ${item.append ? 'appends to' : 'overrides'} rule "${item.name}", which no earlier item defines`);
    if (item.append) appendToRule(previous, fields, item.where);
    else overrideRule(previous, fields, item.override, item.where);
    return;
  }
  if (isEnableOnly(fields)) {
    if (previous === undefined) throw new Error(`${item.where}: sets "enabled" of rule "${item.name}", which no earlier item defines`);
    previous.enabled = fields.enabled as boolean;
    return;
  }
  const missing = (['condition', 'output', 'priority'] as const).filter((key) => fields[key] === undefined);
  if (missing.length > 0) throw new Error(`${item.where}: a rule needs ${missing.join(', ')}`);
  set.rules.set(item.name, {
    name: item.name,
    condition: fields.condition as string,
    output: fields.output as string,
    desc: fields.desc ?? '',
    priority: fields.priority as string,
    source: fields.source ?? 'syscall',
    tags: fields.tags ?? [],
    enabled: fields.enabled ?? true,
    exceptions: fields.exceptions ?? [],
    where: item.where,
    origin: item.origin,
  });
}

function isEnableOnly(fields: FalcoRuleFields): boolean {
  return fields.enabled !== undefined && Object.entries(fields).every(([key, value]) => key === 'enabled' || value === undefined);
}

/** Legacy `append: true`: the condition text is extended and exceptions are merged by name. */
function appendToRule(rule: FalcoRule, fields: FalcoRuleFields, where: string): void {
  if (fields.source !== undefined && fields.source !== rule.source) throw new Error(`${where}: appends with source ${fields.source} to a rule of source ${rule.source}`);
  if (fields.condition !== undefined) rule.condition = `${rule.condition} ${fields.condition}`;
  if (fields.exceptions !== undefined) rule.exceptions = mergeExceptions(rule.exceptions, fields.exceptions);
}

function overrideRule(rule: FalcoRule, fields: FalcoRuleFields, override: Record<string, OverrideMode>, where: string): void {
  for (const [key, mode] of Object.entries(override)) {
    const value = fields[key as keyof FalcoRuleFields];
    if (value === undefined) throw new Error(`${where}: override.${key} names a key the item does not set`);
    switch (key) {
      case 'condition':
      case 'output':
      case 'desc':
        rule[key] = mode === 'append' ? `${rule[key]} ${value as string}` : (value as string);
        break;
      case 'priority':
      case 'source':
        rule[key] = value as string;
        break;
      case 'tags':
        rule.tags = mode === 'append' ? [...rule.tags, ...(value as string[])] : (value as string[]);
        break;
      case 'exceptions':
        rule.exceptions = mode === 'append' ? mergeExceptions(rule.exceptions, value as FalcoExceptionSpec[]) : (value as FalcoExceptionSpec[]);
        break;
      case 'enabled':
        rule.enabled = value as boolean;
        break;
    }
  }
}

/** Values of an exception with a known name join it; new names add exceptions. */
function mergeExceptions(existing: readonly FalcoExceptionSpec[], added: readonly FalcoExceptionSpec[]): FalcoExceptionSpec[] {
  const merged = existing.map((exception) => ({ ...exception, values: [...exception.values] }));
  for (const exception of added) {
    const same = merged.find((candidate) => candidate.name === exception.name);
    if (same === undefined) merged.push({ ...exception, values: [...exception.values] });
    else same.values.push(...exception.values);
  }
  return merged;
}
