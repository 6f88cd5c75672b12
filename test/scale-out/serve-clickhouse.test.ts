import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ATTACKS } from '../detect/scenarios/attacks.js';
import { sortByTime } from '../detect/scenarios/audit-builder.js';
import { normalDay } from '../detect/scenarios/normal-day.js';
import { call, createToken } from '../helpers/api.js';
import { tempDir, vigil } from '../helpers/cli.js';
import { type RunningClickHouse, startClickHouse } from '../helpers/clickhouse.js';
import { type RunningServer, startServer } from '../helpers/server.js';
import { eventually } from './helpers.js';
import { CLUSTER, addWorker, chunks, clickhouseWorkerStore, embeddedIngest, postUntilAccepted, running, startTopology, stopTopology } from './topology.js';

/**
 * `vigil serve --bus … --store clickhouse://…`: the API answers from the workers' ClickHouse
 * store, as the embedded mode answers from its own for the same input, and alert statuses are
 * shared between API servers.
 */

let clickhouse: RunningClickHouse;
const extraServers: RunningServer[] = [];

beforeAll(async () => {
  clickhouse = await startClickHouse();
});

afterAll(async () => {
  await clickhouse?.stop();
});

afterEach(async () => {
  for (const server of extraServers.splice(0)) await server.kill();
  await stopTopology();
});

/** Some hours of normal traffic with an insider's mass delete in them. */
function theInput() {
  const insider = ATTACKS.find((attack) => attack.name === 'insider mass delete');
  if (!insider) throw new Error('scenario "insider mass delete" is missing');
  return sortByTime([...normalDay().slice(0, 1500), ...insider.events()]);
}

/** Every page of a query, following nextCursor: the events' ids and times, in the order shown. */
async function allPages(url: string, token: string, q: string): Promise<Array<{ id: string; time: string }>> {
  const shown: Array<{ id: string; time: string }> = [];
  let cursor = '';
  for (;;) {
    const answer = await call(url, `/api/v1/events?${new URLSearchParams({ q, limit: '40', ...(cursor ? { cursor } : {}) })}`, { token });
    expect(answer.status, answer.text).toBe(200);
    const page = answer.body as { events: Array<{ '@timestamp': string; event: { id: string } }>; nextCursor?: string };
    shown.push(...page.events.map((event) => ({ id: event.event.id, time: event['@timestamp'] })));
    if (!page.nextCursor) return shown;
    cursor = page.nextCursor;
  }
}

/** A facet's values as `value=count`, sorted (equal counts may come in either order). */
async function facetLines(url: string, token: string, q: string, field: string): Promise<string[]> {
  const answer = await call(url, `/api/v1/events/facets?${new URLSearchParams({ q, field, size: '50' })}`, { token });
  expect(answer.status, answer.text).toBe(200);
  const [facet] = (answer.body as { facets: Array<{ values: Array<{ value: unknown; count: number }> }> }).facets;
  return facet.values.map((value) => `${String(value.value)}=${value.count}`).sort();
}

async function histogramOf(url: string, token: string, q: string): Promise<unknown> {
  const answer = await call(url, `/api/v1/events/histogram?${new URLSearchParams({ q, buckets: '24' })}`, { token });
  expect(answer.status, answer.text).toBe(200);
  return answer.body;
}

/** A second API server on the same bus and store, with its own data dir and tokens. */
async function anotherApiServer(natsUrl: string, storeUrl: string, dir: string): Promise<{ server: RunningServer; viewer: string; responder: string }> {
  const dataDir = join(dir, 'serve-b');
  const server = await startServer(['--data-dir', dataDir, '--bus', natsUrl, '--store', storeUrl, '--rules', 'none']);
  extraServers.push(server);
  return { server, viewer: createToken(dataDir, 'viewer').secret, responder: createToken(dataDir, 'responder').secret };
}

describe('vigil serve --bus --store clickhouse://: the API reads the workers\' store', () => {
  it('refuses --store without --bus, and a --store that is not ClickHouse', async () => {
    const dataDir = join(tempDir(), 'data');
    const alone = await vigil(['serve', '--data-dir', dataDir, '--store', clickhouse.urlFor('refused')]);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/--store .* goes with --bus/);
    const sqlite = await vigil(['serve', '--data-dir', dataDir, '--bus', 'nats://127.0.0.1:4222', '--store', tempDir()]);
    expect(sqlite.code).toBe(2);
    expect(sqlite.stderr).toMatch(/--store takes the workers' ClickHouse store/);
    expect(existsSync(dataDir), 'a refused start created the data dir').toBe(false);
  });

  it('answers events, facets and histograms as the embedded mode does, and shares alert statuses between API servers', async () => {
    const storeUrl = clickhouse.urlFor('serve_api');
    const topology = await startTopology(() => clickhouseWorkerStore(storeUrl));
    // The topology's serve publishes only; this one also reads the store, and notifies through a file.
    const serveDir = join(topology.dir, 'serve-a');
    const notifications = join(topology.dir, 'notifications.ndjson');
    writeFileSync(
      join(topology.dir, 'vigil.yaml'),
      `alerting:\n  evaluation_interval: 100ms\n  receivers:\n    log: {type: file, path: "${notifications}"}\n  route: {receivers: [log], group_wait: 0s, group_interval: 0s}\n`,
    );
    const ingest = await vigil(['tokens', 'create', '--name', 'apiserver', '--role', 'ingest', '--cluster', CLUSTER, '--data-dir', serveDir]);
    expect(ingest.code).toBe(0);
    await running.server?.kill();
    running.server = await startServer(['--data-dir', serveDir, '--bus', topology.nats.url, '--store', storeUrl, '--config', join(topology.dir, 'vigil.yaml')]);
    const serveA = { ...topology, server: running.server, token: ingest.stdout.trim() };
    const viewer = createToken(serveDir, 'viewer').secret;
    const responder = createToken(serveDir, 'responder').secret;
    await addWorker(topology, 'worker-a');

    const ready = await call(serveA.server.url, '/readyz');
    expect(ready.status, ready.text).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ready', checks: { nats: 'ok', clickhouse: 'ok' } });

    const input = theInput();
    for (const batch of chunks(input, 300)) await postUntilAccepted(serveA, batch);
    const embedded = await embeddedIngest(topology.dir, input, 'none');
    const everything = `cluster=${CLUSTER}`;
    await eventually(async () => {
      const answer = await call(serveA.server.url, `/api/v1/events?${new URLSearchParams({ q: `${everything} | stats count() as n` })}`, { token: viewer });
      return Number((answer.body as { rows: Array<{ n: number }> }).rows[0].n) >= embedded.rows.length ? true : undefined;
    }, `all ${embedded.rows.length} events in ClickHouse`, 120_000);

    const embeddedServer = await startServer(['--data-dir', embedded.dataDir, '--rules', 'none']);
    extraServers.push(embeddedServer);
    const embeddedViewer = createToken(embedded.dataDir, 'viewer').secret;
    const deletes = 'verb=delete';
    const shared = await allPages(serveA.server.url, viewer, deletes);
    const local = await allPages(embeddedServer.url, embeddedViewer, deletes);
    expect(shared.length).toBeGreaterThan(40);
    expect(new Set(shared.map((event) => event.id)).size, 'an event shown twice across pages').toBe(shared.length);
    expect(shared.map((event) => event.id).sort()).toEqual(local.map((event) => event.id).sort());
    expect(shared.map((event) => event.time)).toEqual(local.map((event) => event.time));
    expect(await facetLines(serveA.server.url, viewer, everything, 'user.name')).toEqual(await facetLines(embeddedServer.url, embeddedViewer, everything, 'user.name'));
    expect(await histogramOf(serveA.server.url, viewer, everything)).toEqual(await histogramOf(embeddedServer.url, embeddedViewer, everything));
    const nothing = 'verb=no-such-verb';
    expect(await histogramOf(serveA.server.url, viewer, nothing)).toEqual(await histogramOf(embeddedServer.url, embeddedViewer, nothing));

    // The worker's alert is listed, notified through serve A's route, and counted on its rule.
    const alert = await eventually(async () => {
      const answer = await call(serveA.server.url, '/api/v1/alerts?status=open', { token: viewer });
      return (answer.body as Array<{ id: string; rule: { id: string }; status: string }>)[0];
    }, 'an alert the worker raised', 120_000);
    await eventually(async () => (existsSync(notifications) && readFileSync(notifications, 'utf8').includes(alert.id) ? true : undefined), 'a notification of the alert', 60_000);
    const rules = (await call(serveA.server.url, '/api/v1/rules', { token: viewer })).body as Array<{ id: string; hits: { alerts: number; open: number } }>;
    expect(rules.find((rule) => rule.id === alert.rule.id)?.hits).toMatchObject({ alerts: expect.any(Number), open: expect.any(Number) });
    expect(rules.find((rule) => rule.id === alert.rule.id)?.hits.open).toBeGreaterThanOrEqual(1);

    const acked = await call(serveA.server.url, `/api/v1/alerts/${alert.id}/ack`, { method: 'POST', token: responder, body: { reason: 'looking into it' } });
    expect(acked.status, acked.text).toBe(200);
    expect(acked.body).toMatchObject({ id: alert.id, status: 'acknowledged', acknowledgedBy: 'responder-test' });

    const serveB = await anotherApiServer(topology.nats.url, storeUrl, topology.dir);
    const seenByB = await call(serveB.server.url, `/api/v1/alerts/${alert.id}`, { token: serveB.viewer });
    expect(seenByB.status, seenByB.text).toBe(200);
    expect(seenByB.body).toMatchObject({ id: alert.id, status: 'acknowledged' });
    const again = await call(serveB.server.url, `/api/v1/alerts/${alert.id}/ack`, { method: 'POST', token: serveB.responder, body: {} });
    expect(again.status, again.text).toBe(409);
    const resolved = await call(serveB.server.url, `/api/v1/alerts/${alert.id}/resolve`, { method: 'POST', token: serveB.responder, body: { reason: 'fixed' } });
    expect(resolved.status, resolved.text).toBe(200);
    const seenByA = await call(serveA.server.url, `/api/v1/alerts/${alert.id}`, { token: viewer });
    expect(seenByA.body).toMatchObject({ status: 'resolved' });

    const integrity = await call(serveA.server.url, '/api/v1/integrity', { token: viewer });
    expect(integrity.status).toBe(503);
    expect((integrity.body as { error: string }).error).toContain(`vigil verify --store ${storeUrl}`);
    const disable = await call(serveA.server.url, `/api/v1/rules/${alert.rule.id}/disable`, { method: 'POST', token: createToken(serveDir, 'admin').secret, body: {} });
    expect(disable.status, disable.text).toBe(409);
  }, 300_000);
});
