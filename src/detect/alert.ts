import { createHash } from 'node:crypto';
import { formatDuration } from './duration.js';
import type { Detection } from './engine.js';
import type { AlertEntity, RuleMeta } from './rule.js';
import type { Severity } from './rule-schema.js';
import { fillAlertPlaceholders } from './template.js';

/** Detections of one fingerprint (rule + group keys) folded together within a window. */
export interface Alert {
  id: string;
  fingerprint: string;
  rule: RuleMeta;
  entity: AlertEntity;
  count: number;
  firstSeen: number;
  lastSeen: number;
  /** Summary with `{count}`/`{duration}` still open; see `alertToJson`. */
  summary: string;
  events: string[];
}

/** The alert object of DESIGN.md, as printed by `vigil detect -o ndjson` and stored. */
export interface AlertJson {
  id: string;
  /** `author` and `nativeSeverity` (Falco priority, Sigma level) only for imported rules that have them. */
  rule: { id: string; title: string; severity: Severity; format: RuleMeta['format']; author?: string; nativeSeverity?: string };
  techniques: string[];
  entity: AlertEntity;
  count: number;
  firstSeen: string;
  lastSeen: string;
  summary: string;
  events: string[];
  /** `retro-hunt` on alerts filed by `vigil hunt --store-alerts` (found by replaying history); absent on alerts raised live. */
  origin?: 'retro-hunt';
}

export function alertToJson(alert: Alert): AlertJson {
  const { rule } = alert;
  return {
    id: alert.id,
    rule: {
      id: rule.id,
      title: rule.title,
      severity: rule.severity,
      format: rule.format,
      ...(rule.author === undefined ? {} : { author: rule.author }),
      ...(rule.nativeSeverity === undefined ? {} : { nativeSeverity: rule.nativeSeverity }),
    },
    techniques: [...rule.techniques],
    entity: alert.entity,
    count: alert.count,
    firstSeen: new Date(alert.firstSeen).toISOString(),
    lastSeen: new Date(alert.lastSeen).toISOString(),
    summary: fillAlertPlaceholders(alert.summary, alert.count, formatDuration(Math.max(alert.lastSeen - alert.firstSeen, 1000))),
    events: [...alert.events],
  };
}

const SEVERITY_RANK: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

export function severityRank(severity: Severity): number {
  return SEVERITY_RANK[severity];
}

export interface GrouperOptions {
  /** Detections further apart than this open a new alert (a rule's `alert_window` overrides). */
  windowMs?: number;
  /** Event ids kept per alert; `count` keeps counting beyond. */
  maxEventIds?: number;
  /** Open alerts held; the least recently updated is closed beyond this. */
  maxOpen?: number;
}

export interface AlertChange {
  alert: Alert;
  opened: boolean;
  /** An older alert of the same fingerprint that this detection's distance closed. */
  closed?: Alert;
}

/**
 * Folds detections into alerts by fingerprint. An alert stays open while detections keep coming
 * within the window of its last one; `expire(now)` closes the quiet ones, `drain()` all.
 * Alert ids are derived from fingerprint and first-seen time, so a replay yields the same ids.
 */
export class AlertGrouper {
  private readonly open = new Map<string, Alert>();
  private readonly windowMs: number;
  private readonly maxEventIds: number;
  private readonly maxOpen: number;
  private evicted = 0;

  constructor(options: GrouperOptions = {}) {
    this.windowMs = options.windowMs ?? 3_600_000;
    this.maxEventIds = options.maxEventIds ?? 100;
    this.maxOpen = options.maxOpen ?? 50_000;
  }

  /** Open alerts closed early because `maxOpen` was reached. */
  get evictions(): number {
    return this.evicted;
  }

  get openCount(): number {
    return this.open.size;
  }

  add(detection: Detection): AlertChange {
    const fingerprint = `${detection.rule.meta.id}\u001e${detection.groupKey}`;
    const existing = this.open.get(fingerprint);
    const window = detection.rule.meta.alertWindowMs ?? this.windowMs;
    if (existing !== undefined && detection.time - existing.lastSeen <= window) {
      this.merge(existing, detection);
      this.open.delete(fingerprint);
      this.open.set(fingerprint, existing);
      return { alert: existing, opened: false };
    }
    if (existing !== undefined) this.open.delete(fingerprint);
    const closed = existing ?? this.evictIfFull();
    const alert = this.create(fingerprint, detection);
    this.open.set(fingerprint, alert);
    return { alert, opened: true, closed };
  }

  /** Closes and returns alerts with no detection within their window before `now`. */
  expire(now: number): Alert[] {
    const closed: Alert[] = [];
    for (const [fingerprint, alert] of this.open) {
      const window = this.windowOf(alert);
      if (now - alert.lastSeen > window) {
        closed.push(alert);
        this.open.delete(fingerprint);
      }
    }
    return closed;
  }

  /** Closes and returns every open alert, oldest first (end of a batch). */
  drain(): Alert[] {
    const all = [...this.open.values()].sort((a, b) => a.firstSeen - b.firstSeen);
    this.open.clear();
    return all;
  }

  snapshot(): unknown {
    return [...this.open.values()].map((alert) => ({ ...alert, rule: alert.rule.id }));
  }

  /** Restores open alerts; those whose rule is no longer loaded are dropped and their ids returned. */
  restore(state: unknown, rulesById: ReadonlyMap<string, RuleMeta>): string[] {
    if (!Array.isArray(state)) throw new Error('saved alert state is not a list of alerts');
    const dropped: string[] = [];
    for (const saved of state as Array<Omit<Alert, 'rule'> & { rule: string }>) {
      const rule = rulesById.get(saved.rule);
      if (rule === undefined) {
        dropped.push(saved.id);
        continue;
      }
      this.open.set(saved.fingerprint, { ...saved, rule });
    }
    return dropped;
  }

  private windowOf(alert: Alert): number {
    return alert.rule.alertWindowMs ?? this.windowMs;
  }

  private create(fingerprint: string, detection: Detection): Alert {
    const id = createHash('sha256').update(`${fingerprint}\u0000${detection.firstSeen}`).digest('hex').slice(0, 20);
    return {
      id,
      fingerprint,
      rule: detection.rule.meta,
      entity: { ...detection.entity },
      count: detection.count,
      firstSeen: detection.firstSeen,
      lastSeen: detection.time,
      summary: detection.summary,
      events: detection.eventIds.slice(0, this.maxEventIds),
    };
  }

  private merge(alert: Alert, detection: Detection): void {
    alert.count += detection.count;
    if (detection.firstSeen < alert.firstSeen) alert.firstSeen = detection.firstSeen;
    if (detection.time > alert.lastSeen) alert.lastSeen = detection.time;
    for (const id of detection.eventIds) {
      if (alert.events.length >= this.maxEventIds) break;
      if (!alert.events.includes(id)) alert.events.push(id);
    }
    for (const [key, value] of Object.entries(detection.entity) as Array<[keyof AlertEntity, string]>) {
      alert.entity[key] ??= value;
    }
  }

  private evictIfFull(): Alert | undefined {
    if (this.open.size < this.maxOpen) return undefined;
    const [fingerprint, oldest] = this.open.entries().next().value as [string, Alert];
    this.open.delete(fingerprint);
    this.evicted++;
    return oldest;
  }
}
