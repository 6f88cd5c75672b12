import type { ConditionBuilder } from '../../condition.js';
import { ImportedCondition } from '../../condition.js';
import { parseDuration } from '../../duration.js';
import type { CompiledField } from '../../field-access.js';
import type { RuleSpec } from '../../rule-schema.js';
import { commonSpec, type SigmaCompiledDetection, sigmaFieldResolver } from './rule-spec.js';
import type { SigmaCorrelationRule } from './sigma-document.js';

export interface CorrelationResult {
  spec: RuleSpec;
  resolveField?: (name: string) => CompiledField | undefined;
  /** Set when the correlation loads but cannot fire, with the reason. */
  cannotMatch?: string;
}

/**
 * A Sigma correlation as a Vigil stateful rule over the detections it names:
 * `event_count` → threshold, `value_count` → distinct threshold, `temporal_ordered` → sequence,
 * `temporal` → sequence in any order; `group-by` → group_by, `timespan` → the window.
 */
export function correlationSpec(correlation: SigmaCorrelationRule, detections: ReadonlyMap<string, SigmaCompiledDetection>, builder: ConditionBuilder): CorrelationResult {
  const common = commonSpec(correlation);
  const within = parseDuration(correlation.timespan);
  const referenced = correlation.rules.map((name) => detections.get(name));
  const dead = (reason: string): CorrelationResult => ({ spec: { ...common, source: [], match: new ImportedCondition(builder.never) }, cannotMatch: reason });
  const missing = correlation.rules.filter((_name, i) => referenced[i] === undefined);
  if (missing.length > 0) return dead(`refers to ${missing.map((name) => `"${name}"`).join(', ')}, which no loaded Sigma detection rule has as id or name (correlations of correlations are not supported)`);
  const steps = referenced as SigmaCompiledDetection[];
  const mapping = steps[0].mapping;
  if (mapping === undefined || steps.some((step) => step.mapping !== mapping)) return dead('the rules it refers to must all read one log source Vigil collects');
  if (Object.keys(correlation.aliases).length > 0) return dead('field name aliases are not supported');
  const groupBy = correlation.groupBy.map((name) => `sigma:${name}`);
  const base = {
    ...common,
    source: [...mapping.sources],
    match: new ImportedCondition(builder.any(steps.map((step) => step.condition))),
    group_by: groupBy,
    summary: `${correlation.title} ({count} events)`,
  };
  const resolveField = sigmaFieldResolver(mapping);
  const condition = correlation.condition;
  switch (correlation.type) {
    case 'event_count':
    case 'value_count': {
      const count = minimumCount(condition);
      if (count === undefined) return dead(`condition ${JSON.stringify(condition)} is not supported: Vigil fires when a count reaches a minimum (gte or gt)`);
      const field = condition.field;
      if (correlation.type === 'value_count' && typeof field !== 'string') return dead('value_count needs condition.field');
      const distinct = correlation.type === 'value_count' ? `sigma:${field as string}` : undefined;
      return { spec: { ...base, threshold: { count, within, distinct } }, resolveField };
    }
    case 'temporal':
    case 'temporal_ordered': {
      const wanted = minimumCount(condition) ?? steps.length;
      if (wanted !== steps.length) return dead(`temporal condition ${JSON.stringify(condition)} is not supported: Vigil needs all ${steps.length} rules`);
      if (steps.length < 2) return dead(`${correlation.type} needs at least two rules`);
      const sequence = { within, steps: steps.map((step) => new ImportedCondition(step.condition)), ordered: correlation.type === 'temporal_ordered' };
      return { spec: { ...base, summary: `${correlation.title}`, sequence }, resolveField };
    }
    default:
      return dead(`correlation type ${correlation.type} is not supported (event_count, value_count, temporal, temporal_ordered are)`);
  }
}

/** `{gte: N}` → N, `{gt: N}` → N + 1; anything else (lt, eq, ranges) undefined. */
function minimumCount(condition: Record<string, unknown>): number | undefined {
  const keys = Object.keys(condition).filter((key) => key !== 'field');
  if (keys.length !== 1) return undefined;
  const value = condition[keys[0]];
  if (typeof value !== 'number' || !Number.isInteger(value)) return undefined;
  if (keys[0] === 'gte') return Math.max(1, value);
  if (keys[0] === 'gt') return value + 1;
  return undefined;
}
