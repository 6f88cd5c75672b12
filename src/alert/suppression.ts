import type { AlertJson } from '../detect/alert.js';
import { ENTITY_KEYS } from '../detect/rule-schema.js';
import type { AlertRows } from './alert-rows.js';
import type { InhibitRule } from './config.js';
import { type AlertLabels, alertLabels, labelText } from './labels.js';
import { matchesAll } from './matchers.js';
import { type ActiveSilence, type SilenceStore, silencesMatching } from './silences.js';

export interface Suppression {
  /** Active silences that select the alert. */
  silencedBy: string[];
  /** Firing alerts that inhibit it. */
  inhibitedBy: string[];
}

/**
 * Whether alerts are suppressed at one moment: by an active silence, or by inhibition — a
 * firing (open or acknowledged) alert matching a rule's source matchers mutes alerts matching
 * its target matchers that agree on the `equal` labels (`entity`: every entity label). Built
 * once per evaluation; firing alerts are read only when some inhibit rule exists.
 */
export class Suppressor {
  private sources?: Array<{ id: string; labels: AlertLabels }>;

  constructor(
    private readonly silences: readonly ActiveSilence[],
    private readonly rules: readonly InhibitRule[],
    private readonly firing: () => AlertJson[],
  ) {}

  static at(now: number, silences: SilenceStore, rows: AlertRows, rules: readonly InhibitRule[]): Suppressor {
    return new Suppressor(silences.active(now), rules, () => rows.firing().map((row) => row.alert));
  }

  check(alert: AlertJson): Suppression {
    const labels = alertLabels(alert);
    return { silencedBy: silencesMatching(this.silences, labels), inhibitedBy: this.inhibitors(alert.id, labels) };
  }

  isSuppressed(alert: AlertJson): boolean {
    const { silencedBy, inhibitedBy } = this.check(alert);
    return silencedBy.length > 0 || inhibitedBy.length > 0;
  }

  private inhibitors(alertId: string, labels: AlertLabels): string[] {
    const found = new Set<string>();
    for (const rule of this.rules) {
      if (!matchesAll(rule.target, labels)) continue;
      for (const source of this.firingSources()) {
        if (source.id === alertId || !matchesAll(rule.source, source.labels)) continue;
        if (rule.equal.every((name) => sameLabel(name, source.labels, labels))) found.add(source.id);
      }
    }
    return [...found];
  }

  private firingSources(): Array<{ id: string; labels: AlertLabels }> {
    this.sources ??= this.firing().map((alert) => ({ id: alert.id, labels: alertLabels(alert) }));
    return this.sources;
  }
}

function sameLabel(name: string, a: AlertLabels, b: AlertLabels): boolean {
  if (name === 'entity') return ENTITY_KEYS.every((key) => labelText(a, key) === labelText(b, key));
  return labelText(a, name) === labelText(b, name);
}
