import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Dataset, ensureDataset } from './dataset.js';
import { GENERATOR_VERSION } from './generate.js';
import { hasGnuTime } from './measure.js';
import { type ArchiveMeasurement, measureArchive } from './archive.js';
import { measureHunt } from './hunt.js';
import { type BenchContext, measureDetect, measureFloor, measureIngest, measureJq, measureVerify } from './measurements.js';
import { type Latency, measureQueries, measureStartup } from './queries.js';
import { fixed, grouped, table } from './report.js';
import type { Throughput } from './throughput.js';
import { VigilCli } from './vigil-cli.js';

/**
 * `npm run bench`: generates (or reuses) the dataset, then measures the floor, `vigil ingest`,
 * jq, `vigil detect`, `vigil verify`, `vigil hunt`, `vigil archive`/restore and typical queries side by side, each in a fresh process,
 * prints the tables and writes bench/out/results-<time>.json. Exit status 1 only when a measured
 * command fails; slowness never fails the run. See bench/README.md.
 */

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const outDir = join(repoRoot, 'bench', 'out');

interface Settings {
  events: number;
  seed: number;
  queryRuns: number;
  keep: boolean;
}

function settingsFromEnv(): Settings {
  const whole = (name: string, fallback: number, min: number) => {
    const text = process.env[name];
    if (text === undefined || text === '') return fallback;
    const value = Number(text.replaceAll('_', ''));
    if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be a whole number ≥ ${min}, got "${text}"`);
    return value;
  };
  return {
    events: whole('BENCH_EVENTS', 500_000, 1),
    seed: whole('BENCH_SEED', 1, 0),
    queryRuns: whole('BENCH_QUERY_RUNS', 3, 1),
    keep: process.env.BENCH_KEEP === '1',
  };
}

async function main(): Promise<number> {
  const settings = settingsFromEnv();
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const dataset = await ensureDataset(outDir, settings.events, settings.seed, log);
  const startedAt = new Date();
  const workDir = join(outDir, `run-${stamp(startedAt)}`);
  mkdirSync(workDir, { recursive: true });
  const ctx: BenchContext = { dataset, vigil: new VigilCli(repoRoot), repoRoot, workDir, timeoutMs: 600_000 + 2 * dataset.events };
  log(header(dataset));

  try {
    const step = (what: string) => log(`  measuring ${what} …`);
    step('the floor');
    const floor = await measureFloor(ctx);
    step('vigil ingest');
    const ingest = await measureIngest(ctx);
    step('jq');
    const jq = await measureJq(ctx);
    step('vigil detect');
    const detect = await measureDetect(ctx);
    step('vigil verify');
    const verify = await measureVerify(ctx, ingest.dataDir);
    step('vigil hunt');
    const hunt = await measureHunt(ctx, ingest.dataDir);
    step('vigil archive and restore');
    const archive = await measureArchive(ctx);
    step('start-up and queries');
    const startup = await measureStartup(ctx.vigil, 5);
    const queries = ingest.dataDir === undefined || ctx.vigil.help('query') === undefined ? [] : await measureQueries(ctx.vigil, ingest.dataDir, settings.queryRuns, startup);

    const throughput = [floor, ...ingest.rows, jq, ...detect, verify, ...hunt, ...archive.rows];
    if (floor.status === 'ok' && floor.eventsPerSecond) {
      for (const row of throughput) if (row.status === 'ok' && row.eventsPerSecond) row.ratioToFloor = row.eventsPerSecond / floor.eventsPerSecond;
    }
    log('');
    log(throughputTable(throughput));
    log(summaryLines(ingest.diskBytes, ingest.ledgerCost, archive, dataset));
    log('');
    log(latencyTable(startup, queries, ingest.dataDir === undefined));
    log('');
    log(targetLines(throughput, ingest.ledgerCost, verify, queries, archive, dataset));
    const failures = [...throughput, startup, ...queries].filter((row) => row.status === 'failed');
    const resultsFile = join(outDir, `results-${stamp(startedAt)}.json`);
    writeFileSync(resultsFile, `${JSON.stringify(results(startedAt, settings, dataset, throughput, ingest, archive, startup, queries), null, 2)}\n`);
    log('');
    for (const row of [...throughput, ...queries].filter((r) => r.status !== 'ok')) log(`${row.status === 'failed' ? 'FAILED' : 'skipped'}: ${row.name}: ${row.reason}`);
    log(`results: ${resultsFile}`);
    return failures.length > 0 ? 1 : 0;
  } finally {
    if (settings.keep) log(`kept the scratch directory (data dirs, detect output): ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  }
}

function header(dataset: Dataset): string {
  const cpu = cpus();
  return [
    `Vigil benchmark: ${grouped(dataset.events)} audit events, ${(dataset.bytes / 1e6).toFixed(1)} MB (${(dataset.bytes / dataset.events).toFixed(0)} B/event), seed ${dataset.seed}, ${dataset.reused ? 'reused' : 'generated'} ${dataset.path}`,
    `Node ${process.version}, ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM; peak RSS by ${hasGnuTime() ? 'GNU time' : 'the child\'s own process.resourceUsage() (no RSS for jq)'}`,
  ].join('\n');
}

function throughputTable(rows: Throughput[]): string {
  const cells = rows.map((row) =>
    row.status === 'ok'
      ? [row.name, grouped(row.eventsPerSecond), fixed(row.megabytesPerSecond, 1), fixed(row.ratioToFloor, 2), fixed(row.wallSeconds, 2), fixed(row.cpuPercent, 0), fixed(row.peakRssMiB, 0), row.note]
      : [row.name, undefined, undefined, undefined, undefined, undefined, undefined, row.status === 'failed' ? 'FAILED (see below)' : `skipped: ${row.reason}`],
  );
  return table(['name', 'events/s', 'MB/s', '× floor', 'wall s', 'CPU %', 'peak RSS MiB', 'note'], cells, [false, true, true, true, true, true, true, false]);
}

function summaryLines(diskBytes: number | undefined, ledgerCost: number | undefined, archive: ArchiveMeasurement, dataset: Dataset): string {
  const lines: string[] = [];
  if (diskBytes !== undefined) lines.push(`storage: ${(diskBytes / 1e6).toFixed(1)} MB data dir, ${(diskBytes / dataset.events).toFixed(0)} B per event (${(diskBytes / dataset.bytes).toFixed(2)} × the input)`);
  if (archive.bytesPerEvent !== undefined && archive.shareOfRaw !== undefined) lines.push(`archive: ${archive.bytesPerEvent.toFixed(1)} B per event, ${(100 * archive.shareOfRaw).toFixed(1)} % of the raw JSON`);
  lines.push(
    ledgerCost === undefined
      ? 'ledger cost: not measured (the ingest failed)'
      : `ledger cost: ${(100 * ledgerCost).toFixed(1)} % of ingest time (leaf hash + frontier + leaf row per record, measured in-process on 100k of the events)`,
  );
  return lines.join('\n');
}

function latencyTable(startup: Latency, queries: Latency[], noStore: boolean): string {
  const row = (l: Latency) =>
    l.status === 'ok'
      ? [l.name, fixed(l.medianMs, 0), fixed(l.minMs, 0), fixed(l.queryOnlyMs, 0), l.rows, fixed(l.peakRssMiB, 0)]
      : [l.name, undefined, undefined, undefined, undefined, undefined];
  const note = noStore ? '\n(queries need a successful ingest and the query command; not measured)' : '';
  return `Latency (median of the runs, each a fresh process; "− start-up" subtracts the median \`vigil --help\` time)\n${table(
    ['command', 'median ms', 'min ms', '− start-up ms', 'rows', 'peak RSS MiB'],
    [startup, ...queries].map(row),
    [false, true, true, true, true, true],
  )}${note}`;
}

function targetLines(rows: Throughput[], ledgerCost: number | undefined, verify: Throughput, queries: Latency[], archive: ArchiveMeasurement, dataset: Dataset): string {
  const ratio = (prefix: string) => rows.find((row) => row.name.startsWith(prefix) && row.status === 'ok')?.ratioToFloor;
  const verdict = (value: number | undefined, ok: (v: number) => boolean, text: string) => `${value === undefined ? '  n/a ' : ok(value) ? '  met ' : '  MISS'}  ${text}`;
  const slowest = queries.filter((q) => q.status === 'ok').map((q) => q.queryOnlyMs ?? q.medianMs ?? 0);
  return [
    'Targets (informational; see bench/README.md)',
    verdict(ratio('vigil ingest ('), (v) => v >= 0.5, `vigil ingest ≥ 0.5× floor now, ≥ 1.0× later: ${fixed(ratio('vigil ingest ('), 2) ?? 'not measured'}×`),
    verdict(ratio('vigil detect (builtin'), (v) => v >= 1, `vigil detect ≥ 1.0× floor (1.5× later): ${fixed(ratio('vigil detect (builtin'), 2) ?? 'not measured'}×`),
    verdict(ratio('vigil detect (Falco'), (v) => v >= 1, `vigil detect, Falco's 48 rules ≥ 1.0× floor: ${fixed(ratio('vigil detect (Falco'), 2) ?? 'not measured'}×`),
    verdict(ratio('vigil detect (Sigma'), (v) => v >= 1, `vigil detect, SigmaHQ's 16 rules ≥ 1.0× floor: ${fixed(ratio('vigil detect (Sigma'), 2) ?? 'not measured'}×`),
    verdict(ratio('vigil hunt (archived'), (v) => v >= 1, `vigil hunt over archived data ≥ 1.0× floor: ${fixed(ratio('vigil hunt (archived'), 2) ?? 'not measured'}×`),
    verdict(archive.shareOfRaw, (v) => v <= 0.15, `archive ≤ 15 % of raw JSON: ${archive.shareOfRaw === undefined ? 'not measured' : `${(100 * archive.shareOfRaw).toFixed(1)} %`}`),
    verdict(ledgerCost, (v) => v < 0.15, `ledger < 15 % of ingest: ${ledgerCost === undefined ? 'not measured' : `${(100 * ledgerCost).toFixed(1)} %`}`),
    verdict(verify.status === 'ok' ? verify.eventsPerSecond : undefined, (v) => v >= 300_000, `verify ≥ 300k records/s: ${grouped(verify.status === 'ok' ? verify.eventsPerSecond : undefined) ?? 'not measured'}`),
    verdict(
      slowest.length > 0 ? Math.max(...slowest) : undefined,
      (v) => v < 300,
      `queries < 300 ms (target is on 10M events; this run has ${grouped(dataset.events)}): slowest ${fixed(slowest.length > 0 ? Math.max(...slowest) : undefined, 0) ?? 'not measured'} ms without start-up`,
    ),
  ].join('\n');
}

function results(startedAt: Date, settings: Settings, dataset: Dataset, throughput: Throughput[], ingest: { diskBytes?: number; ledgerCost?: number }, archive: ArchiveMeasurement, startup: Latency, queries: Latency[]) {
  return {
    startedAt: startedAt.toISOString(),
    machine: { node: process.version, platform: `${process.platform}/${process.arch}`, cpus: cpus().length, cpuModel: cpus()[0]?.model.trim(), totalMemoryMiB: Math.round(totalmem() / 2 ** 20), rssSource: hasGnuTime() ? 'gnu-time' : 'resource-usage' },
    settings,
    dataset: { ...dataset, averageBytes: dataset.bytes / dataset.events, generatorVersion: GENERATOR_VERSION },
    throughput,
    diskBytesPerEvent: ingest.diskBytes === undefined ? undefined : ingest.diskBytes / dataset.events,
    ledgerCost: ingest.ledgerCost,
    archiveBytesPerEvent: archive.bytesPerEvent,
    archiveShareOfRaw: archive.shareOfRaw,
    startup,
    queries,
  };
}

function stamp(date: Date): string {
  return date.toISOString().replace(/[:.]/g, '-');
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
