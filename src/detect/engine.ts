import type { VigilEvent } from '../model/event.js';
import { Absence } from './operators/absence.js';
import { AllWithin } from './operators/all-within.js';
import { Baseline } from './operators/baseline.js';
import { NewValue } from './operators/new-value.js';
import type { Evidence, OperatorLimits, StatefulOperator } from './operators/operator.js';
import { Sequence } from './operators/sequence.js';
import { CountThreshold, DistinctThreshold } from './operators/threshold.js';
import { entityOf, groupKeyOf, groupValuesOf, type AlertEntity, type CompiledRule } from './rule.js';
import { RuleIndex } from './rule-index.js';

/** One rule firing: the unit that alert grouping folds into alerts. */
export interface Detection {
  rule: CompiledRule;
  /** Cluster + group_by values; with the rule id, the alert fingerprint. */
  groupKey: string;
  firstSeen: number;
  /** Event time of the detection. */
  time: number;
  eventIds: readonly string[];
  count: number;
  entity: AlertEntity;
  /** Summary with field placeholders filled; `{count}`/`{duration}` are filled per alert. */
  summary: string;
}

export interface EngineOptions extends Partial<OperatorLimits> {
  /** How often (in event time) absence rules look for silent groups; `tick` always looks. */
  absenceCheckMs?: number;
}

export interface EngineMetrics {
  events: number;
  detections: number;
  rules: number;
  /** Window-state groups held, over all rules. */
  stateGroups: number;
  /** Groups or values dropped because a cap was reached, per rule id (only rules with any). */
  evictions: Record<string, number>;
}

export interface EngineSnapshot {
  version: 1;
  clock: number;
  rules: Record<string, { definition: string; state: unknown }>;
}

const DEFAULT_LIMITS: OperatorLimits = { maxGroups: 20_000, maxValuesPerGroup: 1_000, maxEventIds: 100 };
const NO_DETECTIONS: readonly Detection[] = Object.freeze([]);

interface Slot {
  rule: CompiledRule;
  operator?: StatefulOperator;
}

/**
 * Runs compiled rules over a stream of events. Time is event time: `process` moves the clock to
 * the newest event seen, `tick(now)` moves it in live use so silent streams are noticed even when
 * nothing arrives. State is bounded (see `EngineOptions`) and can be saved and restored.
 */
export class DetectionEngine {
  readonly rules: readonly CompiledRule[];
  private readonly index: RuleIndex<Slot>;
  private readonly slots: Slot[] = [];
  private readonly absences: Slot[] = [];
  private readonly absenceCheckMs: number;
  private currentClock = Number.NEGATIVE_INFINITY;
  private lastAbsenceCheck = Number.NEGATIVE_INFINITY;
  private events = 0;
  private detections = 0;

  constructor(rules: readonly CompiledRule[], options: EngineOptions = {}) {
    const limits: OperatorLimits = {
      maxGroups: options.maxGroups ?? DEFAULT_LIMITS.maxGroups,
      maxValuesPerGroup: options.maxValuesPerGroup ?? DEFAULT_LIMITS.maxValuesPerGroup,
      maxEventIds: options.maxEventIds ?? DEFAULT_LIMITS.maxEventIds,
    };
    this.absenceCheckMs = options.absenceCheckMs ?? 60_000;
    this.rules = rules.filter((rule) => rule.enabled);
    assertUniqueIds(this.rules);
    for (const rule of this.rules) {
      const slot: Slot = { rule, operator: createOperator(rule, limits) };
      this.slots.push(slot);
      if (rule.operator.kind === 'absence') this.absences.push(slot);
    }
    this.index = new RuleIndex(this.slots);
  }

  /** Event time the engine has reached (the newest event or tick); -Infinity before any. */
  get clock(): number {
    return this.currentClock;
  }

  process(event: VigilEvent): readonly Detection[] {
    this.events++;
    let found: Detection[] | undefined;
    if (event.timestamp > this.currentClock) {
      this.currentClock = event.timestamp;
      if (this.absences.length > 0 && this.currentClock - this.lastAbsenceCheck >= this.absenceCheckMs) {
        const silent = this.checkAbsences();
        if (silent.length > 0) found = silent;
      }
    }
    const candidates = this.index.candidates(event);
    for (let i = 0; i < candidates.length; i++) {
      const slot = candidates[i];
      if (!slot.rule.condition.test(event)) continue;
      const detection = this.evaluate(slot, event);
      if (detection !== undefined) (found ??= []).push(detection);
    }
    if (found === undefined) return NO_DETECTIONS;
    this.detections += found.length;
    return found;
  }

  /** Moves the clock to `now` (wall clock in live use) and reports streams silent past their limit. */
  tick(now: number): Detection[] {
    if (now > this.currentClock) this.currentClock = now;
    const found = this.checkAbsences();
    this.detections += found.length;
    return found;
  }

  private evaluate({ rule, operator }: Slot, event: VigilEvent): Detection | undefined {
    const groupKey = groupKeyOf(rule, event);
    if (operator === undefined) {
      return {
        rule,
        groupKey,
        firstSeen: event.timestamp,
        time: event.timestamp,
        eventIds: [event.id],
        count: 1,
        entity: entityOf(rule, event),
        summary: rule.summary.render(event),
      };
    }
    const evidence = operator.observe(event, groupKey, this.currentClock);
    if (evidence === undefined) return undefined;
    return this.detectionOf(rule, groupKey, evidence, event);
  }

  private detectionOf(rule: CompiledRule, groupKey: string, evidence: Evidence, event?: VigilEvent): Detection {
    const values = event === undefined || evidence.entity !== undefined ? groupValuesOf(rule, groupKey) : undefined;
    return {
      rule,
      groupKey,
      firstSeen: evidence.firstSeen,
      time: evidence.time,
      eventIds: evidence.eventIds,
      count: evidence.count,
      entity: evidence.entity ?? (event ? entityOf(rule, event) : {}),
      summary: values ? rule.summary.render((name) => values.get(name)) : rule.summary.render(event as VigilEvent),
    };
  }

  private checkAbsences(): Detection[] {
    this.lastAbsenceCheck = this.currentClock;
    const found: Detection[] = [];
    for (const { rule, operator } of this.absences) {
      for (const { groupKey, evidence } of operator?.advance?.(this.currentClock) ?? []) {
        found.push(this.detectionOf(rule, groupKey, evidence));
      }
    }
    return found;
  }

  metrics(): EngineMetrics {
    const evictions: Record<string, number> = {};
    let stateGroups = 0;
    for (const { rule, operator } of this.slots) {
      if (operator === undefined) continue;
      stateGroups += operator.size;
      if (operator.evictions > 0) evictions[rule.meta.id] = operator.evictions;
    }
    return { events: this.events, detections: this.detections, rules: this.rules.length, stateGroups, evictions };
  }

  /** Window state as plain JSON, for `vigil serve` to persist across restarts. */
  snapshot(): EngineSnapshot {
    const rules: EngineSnapshot['rules'] = {};
    for (const { rule, operator } of this.slots) {
      if (operator !== undefined) rules[rule.meta.id] = { definition: rule.definitionHash, state: operator.snapshot() };
    }
    return { version: 1, clock: this.currentClock, rules };
  }

  /**
   * Restores saved window state. State of rules that no longer exist or whose logic changed is
   * skipped (their ids are returned), because it was counted under other conditions.
   */
  restore(snapshot: EngineSnapshot): { restored: string[]; skipped: string[] } {
    if (snapshot?.version !== 1) throw new Error(`cannot restore detection state: unknown snapshot version ${String(snapshot?.version)}`);
    const byId = new Map(this.slots.map((slot) => [slot.rule.meta.id, slot]));
    const restored: string[] = [];
    const skipped: string[] = [];
    for (const [id, saved] of Object.entries(snapshot.rules)) {
      const slot = byId.get(id);
      if (slot?.operator === undefined || slot.rule.definitionHash !== saved.definition) {
        skipped.push(id);
        continue;
      }
      slot.operator.restore(saved.state);
      restored.push(id);
    }
    if (typeof snapshot.clock === 'number' && snapshot.clock > this.currentClock) this.currentClock = snapshot.clock;
    return { restored, skipped };
  }
}

function createOperator(rule: CompiledRule, limits: OperatorLimits): StatefulOperator | undefined {
  const spec = rule.operator;
  switch (spec.kind) {
    case 'match':
      return undefined;
    case 'threshold':
      return spec.distinct
        ? new DistinctThreshold(spec.distinct, spec.count, spec.withinMs, limits)
        : new CountThreshold(spec.count, spec.withinMs, limits);
    case 'baseline':
      return new Baseline(spec, limits);
    case 'new_value':
      return new NewValue(spec.fields, spec, limits);
    case 'sequence':
      return spec.ordered ? new Sequence(spec.steps, spec.withinMs, limits) : new AllWithin(spec.steps, spec.withinMs, limits);
    case 'absence':
      return new Absence(spec.afterMs, (event) => entityOf(rule, event), limits);
  }
}

function assertUniqueIds(rules: readonly CompiledRule[]): void {
  const seen = new Map<string, string>();
  for (const rule of rules) {
    const previous = seen.get(rule.meta.id);
    if (previous !== undefined) {
      throw new Error(`duplicate rule id "${rule.meta.id}" in ${previous} and ${rule.meta.origin}; rule ids must be unique`);
    }
    seen.set(rule.meta.id, rule.meta.origin);
  }
}
