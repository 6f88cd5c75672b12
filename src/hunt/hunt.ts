import { type Alert, type AlertJson, alertToJson } from '../detect/alert.js';
import { Detector } from '../detect/detector.js';
import type { CompiledRule } from '../detect/rule.js';
import type { VigilEvent } from '../model/event.js';
import { ADMIN_SOURCE } from '../ledger/admin-record.js';

/** How far a running hunt has got, for a progress bar polled off the hot path. */
export interface HuntProgress {
  events: number;
  /** Event time reached (the newest event seen); -Infinity before the first. */
  clock: number;
}

export interface HuntSummary {
  /** Events the rules ran over (Vigil's own admin records are left out, as live detection never sees them). */
  events: number;
  alerts: number;
  alertsByRule: Map<string, number>;
  seconds: number;
  firstEvent?: number;
  lastEvent?: number;
}

/**
 * Replays stored history through the detection engine, in event time, exactly as live
 * detection runs on what ingest and serve store: same engine, same alert grouping, same alert
 * ids (they derive from the rule, group keys and first-seen time), and the alert's cluster
 * filled from the event as the live detection stage does. Alerts are handed to `onAlerts` as
 * they close (quiet for their window) and the rest at the end, so output can stream.
 */
export async function hunt(
  rules: readonly CompiledRule[],
  events: AsyncIterable<readonly VigilEvent[]>,
  onAlerts: (alerts: AlertJson[]) => void | Promise<void>,
  progress: HuntProgress = { events: 0, clock: Number.NEGATIVE_INFINITY },
): Promise<HuntSummary> {
  const started = performance.now();
  const detector = new Detector(rules);
  const summary: HuntSummary = { events: 0, alerts: 0, alertsByRule: new Map(), seconds: 0 };
  const report = async (alerts: Alert[]) => {
    if (alerts.length === 0) return;
    for (const alert of alerts) summary.alertsByRule.set(alert.rule.id, (summary.alertsByRule.get(alert.rule.id) ?? 0) + 1);
    summary.alerts += alerts.length;
    await onAlerts(alerts.map(alertToJson));
  };
  for await (const batch of events) {
    for (const event of batch) {
      if (event.source === ADMIN_SOURCE) continue;
      const changes = detector.process(event);
      for (let i = 0; i < changes.length; i++) changes[i].alert.entity.cluster ??= event.cluster;
      summary.firstEvent ??= event.timestamp;
      summary.events++;
    }
    progress.events = summary.events;
    progress.clock = detector.engine.clock;
    await report(detector.takeClosed());
  }
  await report(detector.finish());
  if (summary.events > 0) summary.lastEvent = detector.engine.clock;
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}
