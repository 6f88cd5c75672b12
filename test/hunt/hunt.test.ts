import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type AlertJson, alertToJson, severityRank } from '../../src/detect/alert.js';
import { Detector } from '../../src/detect/detector.js';
import { builtinRulesDir, loadRules } from '../../src/detect/loader.js';
import { openHistory } from '../../src/hunt/history.js';
import { hunt } from '../../src/hunt/hunt.js';
import type { VigilEvent } from '../../src/model/event.js';
import type { TimeRange } from '../../src/store/store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { ATTACKS } from '../detect/scenarios/attacks.js';
import { normalized, twoDaysOfAudit } from './history-scenario.js';

const RULES = loadRules(builtinRulesDir(), 'builtin');
const { first, second } = twoDaysOfAudit();
const DAY_ONE = normalized(first, 'prod');
const DAY_TWO = normalized(second, 'prod');
const ALL = [...DAY_ONE, ...DAY_TWO];

/** What the live detection stage leaves in the alert store after ingesting the events in file order. */
function liveAlerts(events: readonly VigilEvent[]): AlertJson[] {
  const detector = new Detector(RULES);
  for (const event of events) for (const change of detector.process(event)) change.alert.entity.cluster ??= event.cluster;
  return byId(detector.finish().map(alertToJson));
}

function byId(alerts: AlertJson[]): AlertJson[] {
  return [...alerts].sort((a, b) => a.id.localeCompare(b.id));
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function storeWith(...batches: VigilEvent[][]): Promise<SqliteStore> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-hunt-'));
  dirs.push(dir);
  const store = SqliteStore.open(dir);
  for (const batch of batches) for (let i = 0; i < batch.length; i += 500) await store.append(batch.slice(i, i + 500));
  return store;
}

async function huntAlerts(store: SqliteStore, range: TimeRange, archive?: readonly VigilEvent[]) {
  const history = openHistory(store.db, range, {
    archives: archive === undefined ? [] : ['memory'],
    readArchive: async function* (_target, archiveRange) {
      for (const event of archive ?? []) {
        if (event.timestamp >= (archiveRange.since ?? -Infinity) && event.timestamp < (archiveRange.until ?? Infinity)) yield event;
      }
    },
    pageSize: 700,
  });
  const alerts: AlertJson[] = [];
  const summary = await hunt(RULES, history.events, (found) => void alerts.push(...found));
  return { alerts: byId(alerts), summary, stats: history.stats };
}

describe('hunt over the hot store', () => {
  it('finds every attack with the same alerts live detection raised at ingest: ids, rules, entities, counts, times', async () => {
    const store = await storeWith(DAY_ONE, DAY_TWO);
    const live = liveAlerts(ALL);
    const { alerts, summary } = await huntAlerts(store, {});
    await store.close();
    expect(alerts).toEqual(live);
    expect(summary.events).toBe(ALL.length);
    expect(summary.alerts).toBe(live.length);
    for (const attack of ATTACKS) {
      const onEntity = alerts.filter(
        (alert) => severityRank(alert.rule.severity) >= severityRank('high') && Object.entries(attack.expect).every(([key, value]) => alert.entity[key as keyof AlertJson['entity']] === value),
      );
      expect(onEntity, attack.name).not.toEqual([]);
    }
  });

  it('replays only the range asked for', async () => {
    const store = await storeWith(DAY_ONE, DAY_TWO);
    const since = DAY_TWO[0].timestamp;
    const { alerts, summary } = await huntAlerts(store, { since });
    await store.close();
    expect(summary.events).toBe(DAY_TWO.length);
    expect(alerts).toEqual(liveAlerts(DAY_TWO));
  });
});

describe('hunt over the hot store and an archive', () => {
  it('merges archived and stored events by time and finds the same alerts as over the store alone', async () => {
    // Day one archived, day two hot, and the last hours of day one restored into the hot store too.
    const restored = DAY_ONE.filter((event) => event.timestamp >= DAY_ONE[DAY_ONE.length - 1].timestamp - 3 * 3_600_000);
    const store = await storeWith(restored, DAY_TWO);
    const { alerts, summary, stats } = await huntAlerts(store, {}, DAY_ONE);
    await store.close();
    expect(alerts).toEqual(liveAlerts(ALL));
    expect(summary.events).toBe(ALL.length);
    expect(stats).toEqual({ duplicates: restored.length, outOfOrder: 0 });
  });
});
