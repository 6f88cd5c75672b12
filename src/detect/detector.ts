import type { VigilEvent } from '../model/event.js';
import { AlertGrouper, type Alert, type AlertChange, type GrouperOptions } from './alert.js';
import { DetectionEngine, type Detection, type EngineOptions, type EngineSnapshot } from './engine.js';
import type { CompiledRule } from './rule.js';

export interface DetectorOptions extends EngineOptions, GrouperOptions {
  /** Event time between checks for quiet alerts to close. */
  expireEveryMs?: number;
}

export interface DetectorSnapshot {
  engine: EngineSnapshot;
  alerts: unknown;
}

const NO_CHANGES: readonly AlertChange[] = Object.freeze([]);

/**
 * The engine and the alert grouper together: what `vigil detect`, `vigil ingest` and
 * `vigil serve` run on a stream. Changes say which alerts opened or grew; `closed` alerts are
 * final (quiet for their window) and can be delivered or stored as such.
 */
export class Detector {
  readonly engine: DetectionEngine;
  readonly grouper: AlertGrouper;
  private readonly expireEveryMs: number;
  private lastExpire = Number.NEGATIVE_INFINITY;
  private readonly closedQueue: Alert[] = [];

  constructor(rules: readonly CompiledRule[], options: DetectorOptions = {}) {
    this.engine = new DetectionEngine(rules, options);
    this.grouper = new AlertGrouper(options);
    this.expireEveryMs = options.expireEveryMs ?? 60_000;
  }

  process(event: VigilEvent): readonly AlertChange[] {
    const detections = this.engine.process(event);
    this.expireIfDue();
    if (detections.length === 0) return NO_CHANGES;
    return detections.map((detection) => this.apply(detection));
  }

  /** Live use: moves time to `now`, reporting silent streams and closing quiet alerts. */
  tick(now: number): AlertChange[] {
    const changes = this.engine.tick(now).map((detection) => this.apply(detection));
    this.expireIfDue(true);
    return changes;
  }

  /** Alerts closed since the last call (quiet for their window, or displaced). */
  takeClosed(): Alert[] {
    return this.closedQueue.splice(0);
  }

  /** End of input: closes every alert and returns all closed alerts not yet taken. */
  finish(): Alert[] {
    return [...this.takeClosed(), ...this.grouper.drain()];
  }

  snapshot(): DetectorSnapshot {
    return { engine: this.engine.snapshot(), alerts: this.grouper.snapshot() };
  }

  restore(snapshot: DetectorSnapshot): { restored: string[]; skipped: string[]; droppedAlerts: string[] } {
    const result = this.engine.restore(snapshot.engine);
    const rules = new Map(this.engine.rules.map((rule) => [rule.meta.id, rule.meta]));
    const droppedAlerts = this.grouper.restore(snapshot.alerts, rules);
    return { ...result, droppedAlerts };
  }

  private apply(detection: Detection): AlertChange {
    const change = this.grouper.add(detection);
    if (change.closed !== undefined) this.closedQueue.push(change.closed);
    return change;
  }

  private expireIfDue(force = false): void {
    const clock = this.engine.clock;
    if (!force && clock - this.lastExpire < this.expireEveryMs) return;
    this.lastExpire = clock;
    this.closedQueue.push(...this.grouper.expire(clock));
  }
}
