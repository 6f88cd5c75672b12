import { SOURCE_KINDS, type SourceKind, type VigilEvent } from '../model/event.js';
import { eventId } from '../model/event-id.js';
import { FIELDS } from '../model/fields.js';
import { normalizeAuditEvent } from '../model/k8s-audit.js';
import type { TestStep } from './rule-schema.js';

/** A rule test, ready to run: events in order, with optional clock ticks between them. */
export type TestInput = { event: VigilEvent } | { tick: number };

const AUDIT_TIME_KEYS = ['requestReceivedTimestamp', 'stageTimestamp', 'timestamp'] as const;

/**
 * Turns the test steps of a rule into events. Steps are audit Events (normalized as a real
 * input would be), `{repeat, every, event}` bursts (`{i}` in strings becomes the repetition
 * number and timestamps advance by `every`), `{ecs: {...}}` events of other sources given by
 * ECS field names, and `{tick: time}` clock moves.
 */
export function expandTestSteps(steps: readonly TestStep[], cluster: string): TestInput[] {
  const inputs: TestInput[] = [];
  steps.forEach((step, position) => {
    const where = `step ${position + 1}`;
    if ('tick' in step && typeof step.tick === 'string') inputs.push({ tick: parseTime(step.tick, where) });
    else if ('repeat' in step && 'every' in step && typeof step.repeat === 'number') {
      for (let i = 0; i < step.repeat; i++) {
        inputs.push({ event: auditEvent(repeated(step.event as Record<string, unknown>, i, step.every as number), cluster, `${where} #${i}`) });
      }
    } else if ('ecs' in step && typeof step.ecs === 'object') {
      inputs.push({ event: ecsEvent(step.ecs as Record<string, unknown>, step.raw as Record<string, unknown> | undefined, cluster, where) });
    } else {
      inputs.push({ event: auditEvent(step as Record<string, unknown>, cluster, where) });
    }
  });
  return inputs;
}

function auditEvent(raw: Record<string, unknown>, cluster: string, where: string): VigilEvent {
  try {
    return normalizeAuditEvent(raw, JSON.stringify(raw), cluster);
  } catch (error) {
    throw new Error(`${where}: ${(error as Error).message}`);
  }
}

function repeated(template: Record<string, unknown>, i: number, everyMs: number): Record<string, unknown> {
  const copy = substitute(structuredClone(template), String(i)) as Record<string, unknown>;
  for (const key of AUDIT_TIME_KEYS) {
    const value = copy[key];
    if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) {
      copy[key] = new Date(Date.parse(value) + i * everyMs).toISOString();
    }
  }
  if (typeof template.auditID === 'string' && !template.auditID.includes('{i}')) copy.auditID = `${template.auditID}-${i}`;
  return copy;
}

function substitute(value: unknown, i: string): unknown {
  if (typeof value === 'string') return value.replaceAll('{i}', i);
  if (Array.isArray(value)) return value.map((item) => substitute(item, i));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substitute(item, i)]));
  }
  return value;
}

/**
 * The VigilEvent property behind each ECS name, found by letting each field's getter read a
 * recording object, so this stays in step with `FIELDS` without a second table.
 */
const PROPERTY_OF_FIELD = new Map<string, string>(
  FIELDS.map((def) => {
    let property = '';
    const recorder = new Proxy({}, { get: (_target, key) => ((property = String(key)), undefined) });
    def.get(recorder as VigilEvent);
    return [def.name, property];
  }),
);

function ecsEvent(ecs: Record<string, unknown>, raw: Record<string, unknown> | undefined, cluster: string, where: string): VigilEvent {
  const event: Record<string, unknown> = { cluster, kind: 'event', outcome: 'unknown', raw: raw ?? {}, record: JSON.stringify(raw ?? ecs) };
  for (const [name, value] of Object.entries(ecs)) {
    const def = FIELDS.find((field) => field.name === name || field.aliases.includes(name));
    if (def === undefined) throw new Error(`${where}: unknown ECS field "${name}" in an ecs test event`);
    event[PROPERTY_OF_FIELD.get(def.name) as string] = def.type === 'time' ? parseTime(String(value), where) : value;
  }
  if (typeof event.timestamp !== 'number') throw new Error(`${where}: an ecs test event needs "@timestamp"`);
  if (!(SOURCE_KINDS as readonly unknown[]).includes(event.source)) {
    throw new Error(`${where}: an ecs test event needs "vigil.source", one of ${SOURCE_KINDS.join(', ')}`);
  }
  event.dedupKey = `${where}\u0000${event.timestamp}`;
  event.id ??= eventId(event.timestamp, cluster, event.source as SourceKind, event.dedupKey as string);
  return event as unknown as VigilEvent;
}

function parseTime(text: string, where: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new Error(`${where}: "${text}" is not an RFC 3339 time`);
  return ms;
}
