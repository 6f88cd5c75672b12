import type { VigilEvent } from '../model/event.js';
import { compileField, type CompiledField } from './field-access.js';

/** Placeholders filled when an alert is printed, not when a detection is made. */
export const ALERT_PLACEHOLDERS = ['count', 'duration'] as const;

type Part = string | { field: CompiledField } | { alert: string };

/**
 * A summary line such as `{user.name} deleted {count} objects in {duration}`. Field placeholders
 * are filled from the event that caused the detection; `{count}` and `{duration}` stay in the
 * text until the alert is rendered, because they grow as detections join the alert.
 */
export class SummaryTemplate {
  private readonly parts: Part[];

  /** @param resolve how placeholder names become fields (an importer's own names first). */
  constructor(
    readonly text: string,
    resolve: (name: string) => CompiledField = compileField,
  ) {
    this.parts = [];
    let last = 0;
    for (const match of text.matchAll(/\{([^{}]+)\}/g)) {
      if (match.index > last) this.parts.push(text.slice(last, match.index));
      const name = match[1].trim();
      this.parts.push((ALERT_PLACEHOLDERS as readonly string[]).includes(name) ? { alert: name } : { field: resolve(name) });
      last = match.index + match[0].length;
    }
    if (last < text.length) this.parts.push(text.slice(last));
  }

  /** Fills field placeholders from an event (or from group values when there is no event). */
  render(lookup: VigilEvent | ((name: string) => string | undefined)): string {
    let out = '';
    for (const part of this.parts) {
      if (typeof part === 'string') out += part;
      else if ('alert' in part) out += `{${part.alert}}`;
      else out += (typeof lookup === 'function' ? lookup(part.field.name) : textOfValue(part.field.get(lookup))) ?? '?';
    }
    return out;
  }
}

/** The first present value as text; arrays are joined with commas. */
export function textOfValue(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) {
    const items = value.map(textOfValue).filter((item): item is string => item !== undefined);
    return items.length > 0 ? items.join(',') : undefined;
  }
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Replaces `{count}` and `{duration}` once the alert's totals are known. */
export function fillAlertPlaceholders(summary: string, count: number, duration: string): string {
  return summary.replace(/\{count\}/g, String(count)).replace(/\{duration\}/g, duration);
}
