import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Dataset, ensureDataset } from './dataset.js';
import { type BenchContext, measureFloor } from './measurements.js';
import { fixed, grouped, table } from './report.js';
import { VigilCli } from './vigil-cli.js';
import { leafHash } from '../src/ledger/merkle.js';
import { leafBytes } from '../src/ledger/leaf.js';
import { spawnUntilReady, stopProcess } from '../src/local-servers/child-process.js';
import { type RunningClickHouse, startClickHouse } from '../src/local-servers/clickhouse.js';
import { type RunningNats, startNats } from '../src/local-servers/nats.js';
import { throwawaySigningKey } from '../src/local-servers/throwaway-signing-key.js';
import { normalizeAuditEvent } from '../src/model/k8s-audit.js';
import { parseClickHouseUrl } from '../src/store/clickhouse/url.js';
import { ClickHouseConnection } from '../src/store/clickhouse/connection.js';
import { eventRow, schemaStatements } from '../src/store/clickhouse/schema.js';

/**
 * `npm run bench:scale`: the same generated audit events sent as the apiserver sends them (EventList
 * batches to the webhook, a few requests in flight) through
 * - the embedded mode: `vigil serve` storing in SQLite and detecting in one process;
 * - the scale-out: `vigil serve --bus` → NATS JetStream → 1 and 2 `vigil worker`s → ClickHouse,
 *   timed until every event is stored;
 * beside the floor (read + split + JSON.parse) and ClickHouse's own JSONEachRow insert rate for
 * the same rows (the ceiling of any writer). Local servers come from Debian's nats-server and
 * clickhouse-server on loopback ports. See bench/README.md.
 */

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const outDir = join(repoRoot, 'bench', 'out');
const CLUSTER = 'bench';
const PARTITIONS = 4;

interface Settings {
  events: number;
  batch: number;
  inFlight: number;
}

interface Line {
  name: string;
  eventsPerSecond?: number;
  wallSeconds?: number;
  note?: string;
  failed?: string;
}

function settingsFromEnv(): Settings {
  const whole = (name: string, fallback: number) => {
    const value = Number((process.env[name] ?? '').replaceAll('_', '') || fallback);
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number ≥ 1, got "${process.env[name]}"`);
    return value;
  };
  // 400 events is the apiserver's default --audit-webhook-batch-max-size.
  return { events: whole('BENCH_SCALE_EVENTS', 200_000), batch: whole('BENCH_SCALE_BATCH', 400), inFlight: whole('BENCH_SCALE_IN_FLIGHT', 4) };
}

async function main(): Promise<number> {
  const settings = settingsFromEnv();
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const dataset = await ensureDataset(outDir, settings.events, 1, log);
  const workDir = join(outDir, `scale-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(workDir, { recursive: true });
  const vigil = new VigilCli(repoRoot);
  const ctx: BenchContext = { dataset, vigil, repoRoot, workDir, timeoutMs: 600_000 + 2 * dataset.events };
  log(`Vigil scale-out benchmark: ${grouped(dataset.events)} audit events in EventList batches of ${settings.batch}, ${settings.inFlight} requests in flight; ${cpus().length} cores`);
  const lines = readFileSync(dataset.path, 'utf8').split('\n').filter((line) => line.length > 0);
  const bodies = batches(lines, settings.batch);
  const clickhouse = await startClickHouse();
  const results: Line[] = [];
  try {
    log('  measuring the floor …');
    const floor = await measureFloor(ctx);
    results.push({ name: 'floor: read + split + JSON.parse (1 core)', eventsPerSecond: floor.eventsPerSecond, wallSeconds: floor.wallSeconds, failed: floor.status === 'ok' ? undefined : floor.reason });
    log('  measuring ClickHouse raw JSONEachRow inserts …');
    results.push(await measureCeiling(clickhouse, lines));
    log('  measuring the embedded mode …');
    results.push(await measureEmbedded(vigil, workDir, bodies, lines.length, settings));
    for (const workers of [1, 2]) {
      log(`  measuring the scale-out with ${workers} worker(s) …`);
      results.push(await measureScaleOut(vigil, workDir, clickhouse, bodies, lines.length, settings, workers));
    }
  } finally {
    await clickhouse.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
  const floorRate = results[0].eventsPerSecond;
  log('');
  log(
    table(
      ['path', 'events/s', '× floor', 'wall s', 'note'],
      results.map((line) => [line.name, grouped(line.eventsPerSecond), floorRate && line.eventsPerSecond ? fixed(line.eventsPerSecond / floorRate, 2) : undefined, fixed(line.wallSeconds, 1), line.failed ? `FAILED: ${line.failed}` : line.note]),
      [false, true, true, true, false],
    ),
  );
  const resultsFile = join(outDir, `scale-results-${Date.now()}.json`);
  writeFileSync(resultsFile, `${JSON.stringify({ settings, dataset, cores: cpus().length, results }, null, 2)}\n`);
  log(`results: ${resultsFile}`);
  return results.some((line) => line.failed) ? 1 : 0;
}

function batches(lines: readonly string[], size: number): string[] {
  const bodies: string[] = [];
  for (let start = 0; start < lines.length; start += size) {
    bodies.push(`{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[${lines.slice(start, start + size).join(',')}]}`);
  }
  return bodies;
}

/** The rows a worker would write, inserted by ClickHouse alone: no bus, no dedup lookup, no detection. */
async function measureCeiling(clickhouse: RunningClickHouse, lines: readonly string[]): Promise<Line> {
  const name = 'ClickHouse alone: JSONEachRow INSERT of the same rows (ceiling)';
  const connection = await ClickHouseConnection.open(parseClickHouseUrl(clickhouse.urlFor('ceiling')));
  try {
    for (const statement of schemaStatements()) await connection.command(statement, 'creating the bench schema');
    const rows = lines.map((line, seq) => {
      const event = normalizeAuditEvent(JSON.parse(line), line, CLUSTER);
      return eventRow('p0', seq, leafHash(leafBytes(event)), event);
    });
    const started = performance.now();
    for (let start = 0; start < rows.length; start += 50_000) await connection.insert('events', rows.slice(start, start + 50_000), 'bench insert');
    const seconds = (performance.now() - started) / 1000;
    return { name, eventsPerSecond: rows.length / seconds, wallSeconds: seconds, note: 'batches of 50k rows, one client' };
  } catch (error) {
    return { name, failed: (error as Error).message };
  } finally {
    await connection.close();
  }
}

async function measureEmbedded(vigil: VigilCli, workDir: string, bodies: readonly string[], events: number, settings: Settings): Promise<Line> {
  const name = 'embedded: vigil serve → SQLite + detection';
  const dataDir = join(workDir, 'embedded');
  const token = createIngestToken(vigil, dataDir);
  const server = await startProcess(vigil.argv('serve', '--listen', '127.0.0.1:0', '--log-level', 'warn', '--data-dir', dataDir), /vigil serving on (http:\/\/[\d.:]+)/);
  try {
    const started = performance.now();
    await postAll(server.match, token, bodies, settings.inFlight);
    const seconds = (performance.now() - started) / 1000;
    return { name, eventsPerSecond: events / seconds, wallSeconds: seconds, note: 'stored and detected when the last request is answered' };
  } catch (error) {
    return { name, failed: (error as Error).message };
  } finally {
    await server.stop();
  }
}

async function measureScaleOut(vigil: VigilCli, workDir: string, clickhouse: RunningClickHouse, bodies: readonly string[], events: number, settings: Settings, workerCount: number): Promise<Line> {
  const name = `scale-out: serve --bus → JetStream → ${workerCount} worker${workerCount > 1 ? 's' : ''} → ClickHouse`;
  const database = `scale_w${workerCount}`;
  const storeUrl = clickhouse.urlFor(database);
  const dataDir = join(workDir, `bus-${workerCount}`);
  const nats: RunningNats = await startNats({ partitions: PARTITIONS });
  const started: Running[] = [];
  try {
    const token = createIngestToken(vigil, dataDir);
    const signingKey = await throwawaySigningKey(dataDir);
    const server = await startProcess(vigil.argv('serve', '--listen', '127.0.0.1:0', '--log-level', 'warn', '--data-dir', dataDir, '--bus', nats.url), /vigil serving on (http:\/\/[\d.:]+)/);
    started.push(server);
    for (let index = 0; index < workerCount; index += 1) {
      const workerName = `bench-${index}`;
      const args = ['worker', '--name', workerName, '--bus', nats.url, '--store', storeUrl, '--partitions', `0-${PARTITIONS - 1}`, '--signing-key', signingKey, '--log-level', 'warn'];
      started.push(await startProcess(vigil.argv(...args), new RegExp(`vigil worker ${workerName} started`)));
    }
    const begin = performance.now();
    await postAll(server.match, token, bodies, settings.inFlight);
    const acknowledged = (performance.now() - begin) / 1000;
    await waitForCount(clickhouse, database, events);
    const seconds = (performance.now() - begin) / 1000;
    return { name, eventsPerSecond: events / seconds, wallSeconds: seconds, note: `until all stored; the webhook acknowledged all (JetStream) at ${grouped(events / acknowledged)}/s` };
  } catch (error) {
    return { name, failed: (error as Error).message };
  } finally {
    for (const process of started.reverse()) await process.stop();
    await nats.stop();
  }
}

function createIngestToken(vigil: VigilCli, dataDir: string): string {
  const argv = vigil.argv('tokens', 'create', '--name', 'apiserver', '--role', 'ingest', '--cluster', CLUSTER, '--data-dir', dataDir);
  const result = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`vigil tokens create failed: ${result.stderr}`);
  return result.stdout.trim();
}

/** Sends every body with `inFlight` requests at a time; 429/503 are retried after Retry-After, as the apiserver does. */
async function postAll(baseUrl: string, token: string, bodies: readonly string[], inFlight: number): Promise<void> {
  let next = 0;
  const sender = async () => {
    while (next < bodies.length) {
      const body = bodies[next++];
      for (;;) {
        const response = await fetch(`${baseUrl}/api/v1/ingest/k8s-audit`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
        const text = await response.text();
        if (response.ok) break;
        if (response.status !== 429 && response.status !== 503) throw new Error(`the webhook answered ${response.status}: ${text.slice(0, 300)}`);
        await sleep(1000 * Number(response.headers.get('retry-after') ?? 1));
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, sender));
}

async function waitForCount(clickhouse: RunningClickHouse, database: string, expected: number): Promise<void> {
  const deadline = Date.now() + 30 * 60_000;
  let count = 0;
  while (Date.now() < deadline) {
    const response = await fetch(`http://127.0.0.1:${clickhouse.httpPort}/?query=${encodeURIComponent(`SELECT count() FROM ${database}.events`)}`);
    count = Number((await response.text()).trim());
    if (count >= expected) return;
    await sleep(200);
  }
  throw new Error(`only ${count} of ${expected} events reached ClickHouse within 30 minutes`);
}

interface Running {
  match: string;
  stop(): Promise<void>;
}

/** Starts a vigil process and waits for the line that says it is ready; `match` is the pattern's first group (or the line). */
async function startProcess(argv: string[], ready: RegExp): Promise<Running> {
  const { child, match } = await spawnUntilReady(argv, ready);
  return { match: match[1] ?? match[0], stop: () => stopProcess(child) };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`bench:scale: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
