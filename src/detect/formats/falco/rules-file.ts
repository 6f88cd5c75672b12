import { parse as parseYaml } from 'yaml';

/**
 * One Falco rules file read into typed items, in file order. Scalars are read as text (the YAML
 * "failsafe" schema), as Falco reads list items and conditions, so `items: [0755, true]` stays
 * `"0755"`, `"true"`; `append`, `enabled` and similar flags are parsed from that text.
 */

export type OverrideMode = 'append' | 'replace';

export interface FalcoExceptionSpec {
  name: string;
  /** One field (then `values` are plain values) or several (then each value is a tuple). */
  fields?: string | string[];
  comps?: string | string[];
  values: unknown[];
}

interface ItemBase {
  /** "file: item #3 (rule "X")", for messages. */
  where: string;
  origin: string;
}

export type FalcoItem =
  | (ItemBase & { kind: 'required_engine_version'; version: string })
  | (ItemBase & { kind: 'required_plugin_versions'; plugins: string[] })
  | (ItemBase & { kind: 'list'; name: string; items?: string[]; append: boolean; override: Record<string, OverrideMode> })
  | (ItemBase & { kind: 'macro'; name: string; condition?: string; append: boolean; override: Record<string, OverrideMode> })
  | (ItemBase & { kind: 'rule'; name: string; fields: FalcoRuleFields; append: boolean; override: Record<string, OverrideMode> });

/** The keys of a rule item, as written (all optional until the items are merged). */
export interface FalcoRuleFields {
  condition?: string;
  output?: string;
  desc?: string;
  priority?: string;
  source?: string;
  tags?: string[];
  enabled?: boolean;
  exceptions?: FalcoExceptionSpec[];
}

const RULE_KEYS = new Set(['rule', 'condition', 'output', 'desc', 'priority', 'source', 'tags', 'enabled', 'exceptions', 'append', 'override', 'warn_evttypes', 'skip-if-unknown-filter', 'capture', 'capture_duration']);
const TOP_LEVEL = ['rule', 'macro', 'list', 'required_engine_version', 'required_plugin_versions'] as const;

/** A mistake in a rules file; the message names the file, the item and the key. */
export class FalcoFileError extends Error {}

/** True when a parsed YAML document looks like a Falco rules file (a list of rule/macro/list items). */
export function looksLikeFalcoRules(document: unknown): boolean {
  return (
    Array.isArray(document) &&
    document.some((item) => typeof item === 'object' && item !== null && TOP_LEVEL.some((key) => key in (item as object)))
  );
}

export function readFalcoRulesFile(path: string, text: string): FalcoItem[] {
  let document: unknown;
  try {
    document = parseYaml(text, { schema: 'failsafe' });
  } catch (error) {
    throw new FalcoFileError(`${path}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (document === null || document === undefined || document === '') return [];
  if (!Array.isArray(document)) throw new FalcoFileError(`${path}: a Falco rules file is a YAML list of rule, macro and list items`);
  const items: FalcoItem[] = [];
  document.forEach((raw, index) => {
    // A bare "-" is an empty item; Falco passes over it.
    if (raw !== null && raw !== '') items.push(readItem(raw, path, index));
  });
  return items;
}

function readItem(raw: unknown, path: string, index: number): FalcoItem {
  const at = `${path}: item #${index + 1}`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new FalcoFileError(`${at}: expected a mapping such as "- rule: …", "- macro: …" or "- list: …"`);
  const item = raw as Record<string, unknown>;
  const kind = TOP_LEVEL.find((key) => key in item);
  if (kind === undefined) throw new FalcoFileError(`${at}: unknown item with keys ${Object.keys(item).join(', ')}; expected rule, macro, list, required_engine_version or required_plugin_versions`);
  const base = { origin: path };
  switch (kind) {
    case 'required_engine_version':
      return { ...base, where: at, kind, version: text(item[kind], `${at}: required_engine_version`) };
    case 'required_plugin_versions':
      return { ...base, where: at, kind, plugins: pluginNames(item[kind], at) };
    case 'list': {
      const name = text(item.list, `${at}: list`);
      const where = `${at} (list "${name}")`;
      return { ...base, where, kind, name, items: item.items === undefined ? undefined : textList(item.items, `${where}: items`), ...modes(item, where) };
    }
    case 'macro': {
      const name = text(item.macro, `${at}: macro`);
      const where = `${at} (macro "${name}")`;
      return { ...base, where, kind, name, condition: optionalText(item.condition, `${where}: condition`), ...modes(item, where) };
    }
    case 'rule': {
      const name = text(item.rule, `${at}: rule`);
      const where = `${at} (rule "${name}")`;
      const unknown = Object.keys(item).filter((key) => !RULE_KEYS.has(key));
      if (unknown.length > 0) throw new FalcoFileError(`${where}: unknown key(s) ${unknown.join(', ')}`);
      return { ...base, where, kind, name, fields: ruleFields(item, where), ...modes(item, where) };
    }
  }
}

function ruleFields(item: Record<string, unknown>, where: string): FalcoRuleFields {
  return {
    condition: optionalText(item.condition, `${where}: condition`),
    output: optionalText(item.output, `${where}: output`),
    desc: optionalText(item.desc, `${where}: desc`),
    priority: optionalText(item.priority, `${where}: priority`),
    source: optionalText(item.source, `${where}: source`),
    tags: item.tags === undefined ? undefined : textList(item.tags, `${where}: tags`),
    enabled: item.enabled === undefined ? undefined : flag(item.enabled, `${where}: enabled`),
    exceptions: item.exceptions === undefined ? undefined : exceptions(item.exceptions, where),
  };
}

function modes(item: Record<string, unknown>, where: string): { append: boolean; override: Record<string, OverrideMode> } {
  const append = item.append === undefined ? false : flag(item.append, `${where}: append`);
  const override: Record<string, OverrideMode> = {};
  if (item.override !== undefined) {
    if (append) throw new FalcoFileError(`${where}: use either "append" or "override", not both`);
    if (typeof item.override !== 'object' || item.override === null || Array.isArray(item.override)) throw new FalcoFileError(`${where}: override must map keys to append or replace`);
    for (const [key, mode] of Object.entries(item.override)) {
      if (mode !== 'append' && mode !== 'replace') throw new FalcoFileError(`${where}: override.${key} must be append or replace, found ${JSON.stringify(mode)}`);
      override[key] = mode;
    }
  }
  return { append, override };
}

function exceptions(value: unknown, where: string): FalcoExceptionSpec[] {
  if (!Array.isArray(value)) throw new FalcoFileError(`${where}: exceptions must be a list`);
  return value.map((raw, i) => {
    const at = `${where}: exceptions[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new FalcoFileError(`${at}: expected a mapping with name, fields, comps, values`);
    const exception = raw as Record<string, unknown>;
    const name = text(exception.name, `${at}.name`);
    const fields = exception.fields === undefined ? undefined : typeof exception.fields === 'string' ? exception.fields : textList(exception.fields, `${at}.fields`);
    const comps = exception.comps === undefined ? undefined : typeof exception.comps === 'string' ? exception.comps : textList(exception.comps, `${at}.comps`);
    const values = exception.values === undefined ? [] : exception.values;
    if (!Array.isArray(values)) throw new FalcoFileError(`${at}.values must be a list`);
    return { name, fields, comps, values };
  });
}

function pluginNames(value: unknown, where: string): string[] {
  if (!Array.isArray(value)) throw new FalcoFileError(`${where}: required_plugin_versions must be a list`);
  return value.map((plugin, i) => text((plugin as { name?: unknown } | null)?.name, `${where}: required_plugin_versions[${i}].name`));
}

function text(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new FalcoFileError(`${where}: expected a non-empty value`);
  return value.trim();
}

function optionalText(value: unknown, where: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new FalcoFileError(`${where}: expected text, found a ${Array.isArray(value) ? 'list' : 'mapping'}`);
  return value.trim();
}

function textList(value: unknown, where: string): string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) throw new FalcoFileError(`${where}: expected a list of values`);
  return value as string[];
}

function flag(value: unknown, where: string): boolean {
  const word = typeof value === 'string' ? value.toLowerCase() : '';
  if (['true', 'yes', 'on'].includes(word)) return true;
  if (['false', 'no', 'off'].includes(word)) return false;
  throw new FalcoFileError(`${where}: expected true or false, found ${JSON.stringify(value)}`);
}
