import type { AlertJson } from '../detect/alert.js';
import { ENTITY_KEYS } from '../detect/rule-schema.js';

/** A label holds one value, or several (an alert's ATT&CK techniques). */
export type LabelValue = string | readonly string[];
export type AlertLabels = Readonly<Record<string, LabelValue>>;

/**
 * The names routing matchers, silences, inhibition and `group_by` may use: the rule's
 * identity and severity, its techniques, and every entity key the rules can fill.
 */
export const LABEL_NAMES: readonly string[] = ['severity', 'rule', 'title', 'format', 'technique', ...ENTITY_KEYS];

/** The labels of an alert; entity keys an alert does not have are absent (match as empty). */
export function alertLabels(alert: Pick<AlertJson, 'rule' | 'techniques' | 'entity'>): AlertLabels {
  const labels: Record<string, LabelValue> = {
    severity: alert.rule.severity,
    rule: alert.rule.id,
    title: alert.rule.title,
    format: alert.rule.format,
    technique: alert.techniques,
  };
  for (const [key, value] of Object.entries(alert.entity)) {
    if (typeof value === 'string' && value !== '') labels[key] = value;
  }
  return labels;
}

/** One label's value as text: several values joined by commas, a missing label empty. */
export function labelText(labels: AlertLabels, name: string): string {
  const value = labels[name];
  if (value === undefined) return '';
  return typeof value === 'string' ? value : value.join(',');
}

/** Rule and entity, order-independent: what makes two alerts "the same thing happening again". */
export function alertFingerprint(alert: Pick<AlertJson, 'rule' | 'entity'>): string {
  const entity = Object.entries(alert.entity)
    .filter(([, value]) => typeof value === 'string' && value !== '')
    .sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify([alert.rule.id, entity]);
}
