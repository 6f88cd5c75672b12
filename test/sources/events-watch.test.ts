import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { VigilEvent } from '../../src/model/event.js';
import { Backoff } from '../../src/sources/live/backoff.js';
import { CheckpointFile } from '../../src/sources/live/checkpoint-file.js';
import { type EventsCheckpoint, EventsWatcher } from '../../src/sources/live/events-watcher.js';
import { loadKubeConfig } from '../../src/sources/live/kube-http.js';
import type { ReadBatch } from '../../src/sources/read.js';
import { tempDir } from '../helpers/cli.js';
import { ReplayApiServer, type Step, dropAfter, frames, json } from './replay-api-server.js';

const API = new URL('../fixtures/k8s-event/api/', import.meta.url);
const recorded = (name: string) => readFileSync(new URL(name, API), 'utf8');
const EVENTS = '/apis/events.k8s.io/v1/events';
const TOKEN = 'replay-token';
const GONE = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'too old resource version: 115 (116)', reason: 'Expired', code: 410 });

function collector() {
  const events: VigilEvent[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const sink = async (batch: ReadBatch) => {
    events.push(...batch.events);
    for (const waiter of waiters) if (events.length >= waiter.count) waiter.resolve();
  };
  const until = (count: number) => (events.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve })));
  const versions = () => events.map((event) => `${(event.raw.metadata as { name: string }).name.split('.')[0]}@${(event.raw.metadata as { resourceVersion: string }).resourceVersion}`);
  return { events, sink, until, versions };
}

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function serve(steps: Step[]): Promise<{ server: ReplayApiServer; kubeconfig: string }> {
  const server = new ReplayApiServer(steps, TOKEN);
  const url = await server.listen();
  cleanup.push(() => server.close());
  const kubeconfig = join(tempDir(), 'kubeconfig');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters: [{name: replay, cluster: {server: "${url}", insecure-skip-tls-verify: true}}]
users: [{name: replay, user: {token: ${TOKEN}}}]
contexts: [{name: replay, context: {cluster: replay, user: replay}}]
current-context: replay
`,
  );
  return { server, kubeconfig };
}

function watcher(kubeconfig: string, checkpoint: string, pageSize = 2): EventsWatcher {
  const created = new EventsWatcher({
    name: 'events',
    cluster: 'replay',
    config: loadKubeConfig({ kubeconfig }),
    checkpoint: new CheckpointFile<EventsCheckpoint>(checkpoint),
    pageSize,
    backoff: new Backoff(1, 2),
  });
  cleanup.push(() => created.stop());
  return created;
}

const watchQuery = (resourceVersion: string) => ({ watch: '1', resourceVersion, allowWatchBookmarks: 'true' });

describe('EventsWatcher against a replaying API server', () => {
  it('lists, watches, survives a dropped connection and two 410 Gone, and delivers each version once', async () => {
    const out = collector();
    const { server, kubeconfig } = await serve([
      { path: '/apis/events.k8s.io/v1', answer: json(200, recorded('discovery-events-v1.json')) },
      { path: EVENTS, query: { limit: '2', continue: null, watch: null }, answer: json(200, recorded('list-page-1.json')) },
      { path: EVENTS, query: { limit: '2', continue: JSON.parse(recorded('list-page-1.json')).metadata.continue }, answer: json(200, recorded('list-page-2.json')) },
      { path: EVENTS, query: watchQuery('105'), answer: dropAfter(recorded('watch-1.ndjson'), '{"type":"MODIFIED","object":{"kind":"Ev', () => out.until(5)) },
      { path: EVENTS, query: watchQuery('110'), answer: frames(recorded('watch-2.ndjson')) },
      { path: EVENTS, query: { limit: '2', watch: null }, answer: json(200, recorded('relist-1.json')) },
      { path: EVENTS, query: watchQuery('115'), answer: json(410, GONE) },
      { path: EVENTS, query: { limit: '2', watch: null }, answer: json(200, recorded('relist-2.json')) },
      { path: EVENTS, query: watchQuery('117'), answer: frames(recorded('watch-3.ndjson')) },
    ]);
    const checkpoint = join(tempDir(), 'events.json');
    const watch = watcher(kubeconfig, checkpoint);
    watch.start(out.sink);
    const after = await server.finished;
    await watch.stop();
    expect(server.mismatches).toEqual([]);
    expect(after.searchParams.get('resourceVersion')).toBe('118');
    expect(out.versions()).toEqual(['web-a@100', 'web-b@101', 'web-c@102', 'web-a@106', 'web-d@107', 'web-b@111', 'web-e@113', 'web-f@116', 'web-f@118']);
    expect(new Set(out.events.map((event) => event.id)).size).toBe(9);
    expect(out.events.every((event) => event.source === 'k8s.event' && event.cluster === 'replay')).toBe(true);
    expect(out.events[3]).toMatchObject({ action: 'Failed', podName: 'web-a', namespace: 'shop', hostName: 'node-1', logLevel: 'warning', timestamp: Date.parse('2026-01-12T09:01:00Z') });
    expect(out.events[0].raw).toMatchObject({ kind: 'Event', apiVersion: 'events.k8s.io/v1' });
    const stats = watch.stats();
    expect(stats).toMatchObject({ events: 9, quarantined: 0, dropped: 0, details: { lists: 3, expired: 2, bookmarks: 1, deleted: 1, unchanged: 7 } });
    expect(stats.errors).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(readFileSync(checkpoint, 'utf8'))).toEqual({ api: 'events.k8s.io/v1', resourceVersion: '118' });
  });

  it('resumes from the checkpointed resourceVersion after a restart without listing again', async () => {
    const checkpoint = join(tempDir(), 'events.json');
    new CheckpointFile<EventsCheckpoint>(checkpoint).save({ api: 'events.k8s.io/v1', resourceVersion: '118' });
    const out = collector();
    const { server, kubeconfig } = await serve([{ path: EVENTS, query: watchQuery('118'), answer: frames(recorded('watch-resume.ndjson')) }]);
    const watch = watcher(kubeconfig, checkpoint);
    watch.start(out.sink);
    const after = await server.finished;
    await watch.stop();
    expect(server.mismatches).toEqual([]);
    expect(after.searchParams.get('resourceVersion')).toBe('119');
    expect(out.versions()).toEqual(['web-f@119']);
    expect(out.events[0].raw).toMatchObject({ series: { count: 3 } });
  });

  it('falls back to core/v1 Events when events.k8s.io/v1 is not served', async () => {
    const out = collector();
    const { server, kubeconfig } = await serve([
      { path: '/apis/events.k8s.io/v1', answer: json(404, '{"kind":"Status","code":404}') },
      { path: '/api/v1/events', query: { limit: '500', watch: null }, answer: json(200, recorded('core-list.json')) },
      { path: '/api/v1/events', query: watchQuery('501'), answer: frames(recorded('core-watch.ndjson')) },
    ]);
    const watch = watcher(kubeconfig, join(tempDir(), 'events.json'), 500);
    watch.start(out.sink);
    await server.finished;
    await watch.stop();
    expect(server.mismatches).toEqual([]);
    expect(out.events.map((event) => [event.raw.apiVersion, event.raw.count, event.message])).toEqual([
      ['v1', 1, 'Container image "registry.example/api:1.4" already present on machine'],
      ['v1', 2, 'Container image "registry.example/api:1.4" already present on machine'],
    ]);
    expect(out.events[1]).toMatchObject({ hostName: 'node-3', userName: 'kubelet', podName: 'api-0', namespace: 'payments' });
  });

  it('retries a store failure from the same resourceVersion instead of skipping the batch', async () => {
    const { server, kubeconfig } = await serve([
      { path: '/apis/events.k8s.io/v1', answer: json(200, recorded('discovery-events-v1.json')) },
      { path: EVENTS, query: { limit: '500' }, answer: json(200, recorded('relist-2.json')) },
      { path: EVENTS, query: watchQuery('117'), answer: frames(recorded('watch-3.ndjson')) },
      { path: EVENTS, query: watchQuery('117'), answer: frames(recorded('watch-3.ndjson')) },
    ]);
    const stored: string[] = [];
    let failures = 1;
    const sink = async (batch: ReadBatch) => {
      if (batch.events.some((event) => (event.raw.metadata as { resourceVersion: string }).resourceVersion === '118') && failures-- > 0) throw new Error('disk full');
      stored.push(...batch.events.map((event) => event.id));
    };
    const watch = watcher(kubeconfig, join(tempDir(), 'events.json'), 500);
    watch.start(sink);
    const after = await server.finished;
    await watch.stop();
    expect(server.mismatches).toEqual([]);
    expect(after.searchParams.get('resourceVersion')).toBe('118');
    expect(stored).toHaveLength(6);
    expect(new Set(stored).size).toBe(6);
    expect(watch.stats().lastError).toBe('disk full');
  });
});
