import { createHash } from 'node:crypto';
import type { SourceKind, VigilEvent } from '../model/event.js';
import { compileCondition, ConditionError, type CompiledCondition, type ConditionCache, type NamedLists } from './condition.js';
import { compileField, type CompiledField } from './field-access.js';
import type { EntityKey, RuleSpec, Severity, TestCase } from './rule-schema.js';
import { SummaryTemplate, textOfValue } from './template.js';

export type RuleFormat = 'vigil' | 'sigma' | 'falco';

export interface RuleMeta {
  id: string;
  title: string;
  description: string;
  severity: Severity;
  techniques: readonly string[];
  runbook?: string;
  format: RuleFormat;
  /** Where the rule came from (file path), for error messages and `vigil rules list`. */
  origin: string;
  /** Detections of one fingerprint closer together than this join one alert (default: the grouper's). */
  alertWindowMs?: number;
  /** Author of an imported rule (Sigma `author`), shown wherever the rule is (DRL 1.1 attribution). */
  author?: string;
  /** The severity in the rule's own words: a Falco priority or a Sigma level. */
  nativeSeverity?: string;
}

/** What an importer adds to a rule beyond its `RuleSpec`. */
export interface CompileOptions {
  /** Resolves the field names of the importer's language (Falco `ka.*`) before Vigil's own. */
  resolveField?: (name: string) => CompiledField | undefined;
  meta?: Pick<RuleMeta, 'author' | 'nativeSeverity'>;
}

export type OperatorSpec =
  | { kind: 'match' }
  | { kind: 'threshold'; count: number; withinMs: number; distinct?: CompiledField }
  | { kind: 'baseline'; bucketMs: number; factor: number; floor: number; warmupMs: number }
  | { kind: 'new_value'; fields: CompiledField[]; lookbackMs: number; learnMs: number }
  | { kind: 'sequence'; withinMs: number; steps: CompiledCondition[]; ordered: boolean }
  | { kind: 'absence'; afterMs: number };

export interface CompiledRule {
  meta: RuleMeta;
  enabled: boolean;
  /** Undefined: the rule applies to every source. */
  sources?: ReadonlySet<SourceKind>;
  condition: CompiledCondition;
  operator: OperatorSpec;
  groupBy: readonly CompiledField[];
  entity: ReadonlyArray<readonly [EntityKey, CompiledField]>;
  summary: SummaryTemplate;
  tests: { positive: readonly TestCase[]; negative: readonly TestCase[] };
  /** Hash of the rule's detection logic: saved window state is only reused by an unchanged rule. */
  definitionHash: string;
  /** Scratch space of `groupKeyOf`. */
  lastGroupKey: { cluster: string; value: string; key: string };
}

export type AlertEntity = Partial<Record<EntityKey, string>>;

const DEFAULT_ENTITY: Partial<Record<EntityKey, string>> = {
  user: 'user.name',
  namespace: 'orchestrator.namespace',
  sourceIP: 'source.ip',
};

/** A rule that cannot be compiled; the message names the rule and the key at fault. */
export class RuleError extends Error {}

/**
 * Compiles one rule. Rules compiled with the same `cache` share identical sub-conditions, which
 * then run once per event for all of them (see `ConditionCache`).
 */
export function compileRule(
  spec: RuleSpec,
  lists: NamedLists,
  origin: string,
  format: RuleFormat = 'vigil',
  cache: ConditionCache = new Map(),
  options: CompileOptions = {},
): CompiledRule {
  const where = `${origin}: rule ${spec.id}`;
  const resolve = (name: string): CompiledField => options.resolveField?.(name) ?? compileField(name);
  const field = (name: string, key: string): CompiledField => {
    try {
      return resolve(name);
    } catch (error) {
      throw new RuleError(`${where}: ${key}: ${(error as Error).message}`);
    }
  };
  const condition = (node: unknown, key: string): CompiledCondition => {
    try {
      return compileCondition(node, lists, key, cache);
    } catch (error) {
      if (error instanceof ConditionError) throw new RuleError(`${where}: ${error.key}: ${error.message}`);
      throw error;
    }
  };
  const entitySpec = spec.entity ?? (spec.absence ? {} : DEFAULT_ENTITY);
  const entity = Object.entries(entitySpec).map(([key, name]) => [key as EntityKey, field(name, `entity.${key}`)] as const);
  const groupByNames = spec.group_by ?? (spec.absence ? [] : Object.values(entitySpec));
  let summary: SummaryTemplate;
  try {
    summary = new SummaryTemplate(spec.summary ?? defaultSummary(spec), resolve);
  } catch (error) {
    throw new RuleError(`${where}: summary: ${(error as Error).message}`);
  }
  return {
    meta: {
      id: spec.id,
      title: spec.title,
      description: spec.description,
      severity: spec.severity,
      techniques: spec.techniques,
      runbook: spec.runbook,
      format,
      origin,
      alertWindowMs: spec.alert_window,
      ...options.meta,
    },
    enabled: spec.enabled,
    sources: spec.source === undefined ? undefined : new Set(Array.isArray(spec.source) ? spec.source : [spec.source]),
    condition: condition(spec.match, 'match'),
    operator: compileOperator(spec, field, condition),
    groupBy: groupByNames.map((name, i) => field(name, `group_by[${i}]`)),
    entity,
    summary,
    tests: { positive: spec.tests?.positive ?? [], negative: spec.tests?.negative ?? [] },
    definitionHash: hashDefinition(spec),
    lastGroupKey: { cluster: '', value: '', key: '\u001f' },
  };
}

function compileOperator(
  spec: RuleSpec,
  field: (name: string, key: string) => CompiledField,
  condition: (node: unknown, key: string) => CompiledCondition,
): OperatorSpec {
  if (spec.threshold) {
    const { count, within, distinct } = spec.threshold;
    return { kind: 'threshold', count, withinMs: within, distinct: distinct === undefined ? undefined : field(distinct, 'threshold.distinct') };
  }
  if (spec.baseline) {
    const { bucket, factor, floor, warmup } = spec.baseline;
    return { kind: 'baseline', bucketMs: bucket, factor, floor, warmupMs: warmup };
  }
  if (spec.new_value) {
    const { fields, lookback, learn } = spec.new_value;
    return { kind: 'new_value', fields: fields.map((name, i) => field(name, `new_value.fields[${i}]`)), lookbackMs: lookback, learnMs: learn };
  }
  if (spec.sequence) {
    const steps = spec.sequence.steps.map((step, i) => condition(step, `sequence.steps[${i}]`));
    return { kind: 'sequence', withinMs: spec.sequence.within, steps, ordered: spec.sequence.ordered };
  }
  if (spec.absence) return { kind: 'absence', afterMs: spec.absence.after };
  return { kind: 'match' };
}

function defaultSummary(spec: RuleSpec): string {
  if (spec.absence) return `${spec.title} ({count} time(s))`;
  return `${spec.title} by {user.name}`;
}

function hashDefinition(spec: RuleSpec): string {
  const { tests: _tests, title: _title, description: _description, runbook: _runbook, ...logic } = spec;
  return createHash('sha256').update(JSON.stringify(logic)).digest('hex').slice(0, 16);
}

/**
 * The cluster plus the rule's group_by values: the key of window state and of alert fingerprints.
 * The last key of a one-field rule is reused while cluster and value repeat (a stream's absence
 * rule sees the same key on every event), sparing a string build and its hashing.
 */
export function groupKeyOf(rule: CompiledRule, event: VigilEvent): string {
  const groupBy = rule.groupBy;
  if (groupBy.length === 0) return event.cluster;
  if (groupBy.length === 1) {
    const value = textOfValue(groupBy[0].get(event)) ?? '';
    const memo = rule.lastGroupKey;
    if (memo.cluster === event.cluster && memo.value === value) return memo.key;
    memo.cluster = event.cluster;
    memo.value = value;
    memo.key = `${event.cluster}\u001f${value}`;
    return memo.key;
  }
  let key = event.cluster;
  for (const field of groupBy) key += `\u001f${textOfValue(field.get(event)) ?? ''}`;
  return key;
}

/** Splits a group key back into (cluster, values) for events that no longer exist (absence). */
export function groupValuesOf(rule: CompiledRule, key: string): Map<string, string> {
  const [cluster, ...values] = key.split('\u001f');
  const byName = new Map<string, string>([['orchestrator.cluster.name', cluster], ['cluster', cluster]]);
  rule.groupBy.forEach((field, i) => {
    if (values[i] !== undefined && values[i] !== '') byName.set(field.name, values[i]);
  });
  return byName;
}

export function entityOf(rule: CompiledRule, event: VigilEvent): AlertEntity {
  const entity: AlertEntity = {};
  for (const [key, field] of rule.entity) {
    const value = textOfValue(field.get(event));
    if (value !== undefined) entity[key] = value;
  }
  entity.cluster ??= event.cluster;
  return entity;
}
