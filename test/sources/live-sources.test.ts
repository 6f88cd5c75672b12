import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parseServeConfig } from '../../src/config/serve-config.js';
import { type IngestSummary, addBatch } from '../../src/ingest/ingest.js';
import { type RunningSources, startLiveSources } from '../../src/sources/live/from-config.js';
import { SILENT_LOG } from '../../src/sources/live/live-source.js';
import type { ReadBatch } from '../../src/sources/read.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempDir } from '../helpers/cli.js';
import { ReplayApiServer, frames, json } from './replay-api-server.js';

const FIXTURES = new URL('../fixtures/', import.meta.url);
const fixture = (path: string) => fileURLToPath(new URL(path, FIXTURES));
const recorded = (name: string) => readFileSync(fixture(`k8s-event/api/${name}`), 'utf8');
const FAKE_JOURNALCTL = fileURLToPath(new URL('./fake-journalctl.mjs', import.meta.url));
const EVENTS = '/apis/events.k8s.io/v1/events';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

describe('live sources from a serve config', () => {
  it('keeps the events watch, container logs, journald and auth.log flowing into the store', async () => {
    const server = new ReplayApiServer(
      [
        { path: '/apis/events.k8s.io/v1', answer: json(200, recorded('discovery-events-v1.json')) },
        { path: EVENTS, answer: json(200, recorded('relist-2.json')) },
        { path: EVENTS, query: { watch: '1', resourceVersion: '117' }, answer: frames(recorded('watch-3.ndjson')) },
      ],
      'serve-token',
    );
    const url = await server.listen();
    cleanup.push(() => server.close());
    const work = tempDir();
    const kubeconfig = join(work, 'kubeconfig');
    writeFileSync(kubeconfig, `{"apiVersion":"v1","kind":"Config","clusters":[{"name":"r","cluster":{"server":"${url}","insecure-skip-tls-verify":true}}],"users":[{"name":"r","user":{"token":"serve-token"}}],"contexts":[{"name":"r","context":{"cluster":"r","user":"r"}}],"current-context":"r"}`);
    const containers = join(work, 'containers');
    mkdirSync(containers);
    for (const name of readdirSync(fixture('container'))) if (name.endsWith('.log')) copyFileSync(fixture(`container/${name}`), join(containers, name));
    copyFileSync(fixture('node/auth.log'), join(work, 'auth.log'));
    const config = parseServeConfig(
      `
sources:
  - {kind: k8s-events, cluster: prod, kubeconfig: ${JSON.stringify(kubeconfig)}}
  - {kind: container-logs, cluster: prod, path: ${JSON.stringify(containers)}, node: node-1, pollIntervalMs: 5}
  - {kind: journald, cluster: prod, command: ${JSON.stringify([process.execPath, FAKE_JOURNALCTL, '--entries', fixture('node/journal.json')])}}
  - {kind: syslog, cluster: prod, path: ${JSON.stringify(join(work, 'auth.log'))}, pollIntervalMs: 5}
`,
      'vigil.yaml',
    );
    const dataDir = join(work, 'data');
    const store = SqliteStore.open(dataDir);
    cleanup.push(() => store.close());
    const summary: IngestSummary = { accepted: 0, duplicates: 0, quarantined: 0 };
    const expected = { 'k8s.event': 6, container: 10, node: 21 };
    const seen: Record<string, number> = {};
    let arrived: () => void = () => undefined;
    const all = new Promise<void>((resolve) => (arrived = resolve));
    const sink = async (batch: ReadBatch) => {
      await addBatch(batch, store, summary);
      for (const event of batch.events) seen[event.source] = (seen[event.source] ?? 0) + 1;
      if (Object.entries(expected).every(([source, count]) => (seen[source] ?? 0) >= count)) arrived();
    };
    const running: RunningSources = startLiveSources(config.sources, { dataDir, log: SILENT_LOG }, sink);
    cleanup.push(() => running.stop());
    await all;
    await server.finished;
    await running.stop();
    expect(seen).toEqual(expected);
    expect(summary).toEqual({ accepted: 37, duplicates: 0, quarantined: 0 });
    const counts = await store.query('* | stats count() by vigil.source', {});
    expect(Object.fromEntries(counts.rows.map((row) => [row['vigil.source'], row['count()']]))).toEqual(expected);
    expect(running.sources.map((source) => [source.name, source.stats().state])).toEqual([
      ['k8s-events-prod', 'stopped'],
      ['container-logs-prod', 'stopped'],
      ['journald-prod', 'stopped'],
      ['syslog-prod', 'stopped'],
    ]);
    expect(readdirSync(join(dataDir, 'checkpoints')).sort()).toEqual(['container-logs-prod.json', 'journald-prod.json', 'k8s-events-prod.json', 'syslog-prod.json']);
  });
});
