import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeAuditEvent } from '../../src/model/k8s-audit.js';
import type { VigilEvent } from '../../src/model/event.js';
import { ATTACKS } from '../detect/scenarios/attacks.js';
import { type RawAuditEvent, sortByTime } from '../detect/scenarios/audit-builder.js';
import { normalDay } from '../detect/scenarios/normal-day.js';

const DAY_MS = 86_400_000;

/**
 * Two days of one cluster's audit log, in file order (time order): the first a normal day with
 * every attack scenario mixed in (the audit gap included), the second another normal day.
 */
export function twoDaysOfAudit(): { first: RawAuditEvent[]; second: RawAuditEvent[] } {
  const removed = (event: RawAuditEvent) => ATTACKS.some((attack) => attack.removes?.(event) ?? false);
  const first = sortByTime([...normalDay().filter((event) => !removed(event)), ...ATTACKS.flatMap((attack) => attack.events())]);
  const second = sortByTime(normalDay(20260303).map((event) => shifted(event, DAY_MS)));
  return { first, second };
}

function shifted(event: RawAuditEvent, ms: number): RawAuditEvent {
  const move = (value: unknown) => {
    const text = String(value);
    // The builder writes microseconds; keep them while moving the whole seconds.
    const whole = new Date(Date.parse(`${text.slice(0, 19)}Z`) + ms).toISOString().slice(0, 19);
    return `${whole}${text.slice(19)}`;
  };
  return { ...event, requestReceivedTimestamp: move(event.requestReceivedTimestamp), stageTimestamp: move(event.stageTimestamp) };
}

export function writeAuditLog(path: string, events: readonly RawAuditEvent[]): string {
  writeFileSync(path, `${events.map((event) => JSON.stringify(event)).join('\n')}\n`);
  return path;
}

export function writeScenarioLogs(dir: string): [string, string] {
  const { first, second } = twoDaysOfAudit();
  return [writeAuditLog(join(dir, 'day-1.log'), first), writeAuditLog(join(dir, 'day-2.log'), second)];
}

export function normalized(events: readonly RawAuditEvent[], cluster: string): VigilEvent[] {
  return events.map((raw) => normalizeAuditEvent(raw, JSON.stringify(raw), cluster));
}
