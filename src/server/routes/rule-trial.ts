import { z } from 'zod';
import { AlertGrouper, type AlertJson, alertToJson } from '../../detect/alert.js';
import { DetectionEngine } from '../../detect/engine.js';
import type { CompiledRule } from '../../detect/rule.js';
import { testStepSchema } from '../../detect/rule-schema.js';
import { expandTestSteps } from '../../detect/test-events.js';
import type { VigilEvent } from '../../model/event.js';

/**
 * Runs one rule over events someone pastes, with nothing stored, notified or remembered: the
 * "test" of the Rules page and `POST /api/v1/rules/:id/test`. The events are what a rule test
 * holds (raw audit events, `{ecs: …}` events of other sources, `{repeat, every, event}` bursts,
 * `{tick}` clock moves), given as a JSON array, one object, an audit EventList, or NDJSON text.
 */

/** Events after expanding bursts: enough for a threshold or a sequence, small enough to answer at once. */
export const MAX_TRIAL_EVENTS = 5000;

/** Events are normalized as if they came from this cluster. */
const TRIAL_CLUSTER = 'rule-test';

export interface MatchedEvent {
  /** Position among the given events (0-based, bursts expanded, ticks not counted). */
  index: number;
  eventId: string;
  time: string;
  /** Whether a detection of the rule names this event (stateful rules match many events, fire on some). */
  inAlert: boolean;
}

export interface RuleTrial {
  rule: string;
  /** Events run, after expanding bursts. */
  events: number;
  /** Events that meet the rule's source and condition. */
  matched: MatchedEvent[];
  detections: number;
  /** The alerts the rule would raise on these events alone. */
  alerts: AlertJson[];
  /** Why nothing may have matched, e.g. events of another source than the rule reads. */
  notes: string[];
}

/** Input that cannot be run; the message says which event and what is wrong. */
export class TrialInputError extends Error {}

/** The steps of a request body: parsed JSON (array, object, EventList) or NDJSON text. */
export function trialSteps(body: unknown): unknown[] {
  if (typeof body === 'string') return ndjsonSteps(body);
  if (Array.isArray(body)) return body;
  if (body !== null && typeof body === 'object') {
    const list = body as { kind?: unknown; items?: unknown };
    if (list.kind === 'EventList') {
      if (!Array.isArray(list.items)) throw new TrialInputError('the EventList has no "items" array');
      return list.items;
    }
    return [body];
  }
  throw new TrialInputError('send events: a JSON array or object, an audit EventList, or NDJSON text (one event per line)');
}

function ndjsonSteps(text: string): unknown[] {
  const steps: unknown[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      steps.push(JSON.parse(line));
    } catch (error) {
      throw new TrialInputError(`line ${i + 1}: not JSON (${(error as Error).message}); give one event per line`);
    }
  });
  return steps;
}

const stepsSchema = z.array(testStepSchema).min(1, 'no events given');

export function runRuleTrial(rule: CompiledRule, body: unknown): RuleTrial {
  const steps = parseSteps(trialSteps(body));
  let inputs;
  try {
    inputs = expandTestSteps(steps, TRIAL_CLUSTER);
  } catch (error) {
    throw new TrialInputError((error as Error).message);
  }
  // Disabled or not, the rule runs here: testing is how one decides to enable it.
  const running: CompiledRule = { ...rule, enabled: true, lastGroupKey: { cluster: '', value: '', key: '\u001f' } };
  const engine = new DetectionEngine([running]);
  const grouper = new AlertGrouper();
  const matched: MatchedEvent[] = [];
  const events: VigilEvent[] = [];
  for (const input of inputs) {
    if ('tick' in input) {
      for (const detection of engine.tick(input.tick)) grouper.add(detection);
      continue;
    }
    const { event } = input;
    if (appliesTo(rule, event) && rule.condition.test(event)) matched.push({ index: events.length, eventId: event.id, time: new Date(event.timestamp).toISOString(), inAlert: false });
    events.push(event);
    for (const detection of engine.process(event)) grouper.add(detection);
  }
  const alerts = grouper.drain().map(alertToJson);
  const named = new Set(alerts.flatMap((alert) => alert.events));
  for (const match of matched) match.inAlert = named.has(match.eventId);
  return { rule: rule.meta.id, events: events.length, matched, detections: engine.metrics().detections, alerts, notes: notesOf(rule, events) };
}

function parseSteps(raw: unknown[]) {
  const parsed = stepsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length > 0 ? `event ${Number(issue.path[0]) + 1}` : 'events';
    throw new TrialInputError(`${where}: ${issue.message}`);
  }
  const total = parsed.data.reduce((sum, step) => sum + ('repeat' in step && typeof step.repeat === 'number' ? step.repeat : 1), 0);
  if (total > MAX_TRIAL_EVENTS) throw new TrialInputError(`${total} events (bursts expanded) are more than the ${MAX_TRIAL_EVENTS} a test runs; send fewer`);
  return parsed.data;
}

function appliesTo(rule: CompiledRule, event: VigilEvent): boolean {
  return rule.sources === undefined || rule.sources.has(event.source);
}

function notesOf(rule: CompiledRule, events: readonly VigilEvent[]): string[] {
  const notes: string[] = [];
  if (rule.sources !== undefined && events.length > 0 && !events.some((event) => appliesTo(rule, event))) {
    notes.push(`the rule reads ${[...rule.sources].join(', ')}; none of the events is from there (audit events are k8s.audit; give others as {"ecs": {…}})`);
  }
  if (!rule.enabled) notes.push('the rule is disabled: the server does not run it on what arrives');
  return notes;
}
