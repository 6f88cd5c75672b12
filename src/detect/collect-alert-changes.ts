import type { VigilEvent } from '../model/event.js';
import type { Alert } from './alert.js';
import type { Detector } from './detector.js';

/**
 * Feeds events (the ones newly stored, duplicates left out, in stream order) to the detector and
 * puts every alert they open, grow or close into `changed`, keyed by alert id so each is written
 * once in its latest state; the alerts that closed as time moved on are added too. An alert
 * whose entity names no cluster takes the cluster of the event that made it.
 */
export function collectAlertChanges(detector: Detector, events: readonly VigilEvent[], changed: Map<string, Alert>): void {
  for (const event of events) {
    for (const change of detector.process(event)) {
      change.alert.entity.cluster ??= event.cluster;
      changed.set(change.alert.id, change.alert);
      if (change.closed) changed.set(change.closed.id, change.closed);
    }
  }
  for (const closed of detector.takeClosed()) changed.set(closed.id, closed);
}
