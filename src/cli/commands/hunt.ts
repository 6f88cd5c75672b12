import { type Command, Option } from 'commander';
import { readArchivedEvents } from '../../archive/read-archive.js';
import type { AlertJson } from '../../detect/alert.js';
import { type FiledAlerts, fileRetroHuntAlerts } from '../../hunt/file-alerts.js';
import { type HuntProgress, type HuntSummary, hunt } from '../../hunt/hunt.js';
import { type ArchiveReader, openHistory } from '../../hunt/history.js';
import type { VigilEvent } from '../../model/event.js';
import { SqliteAlertStore } from '../../store/sqlite/alert-store.js';
import { listCatalogSegments } from '../../store/sqlite/archive-catalog.js';
import { type SqliteDatabase, openDatabase } from '../../store/sqlite/database.js';
import type { TimeRange } from '../../store/store.js';
import { alertTable } from '../alert-table.js';
import { countProgress } from '../count-progress.js';
import { UsageError, exitCodes } from '../exit.js';
import { dataDirOption } from '../options.js';
import type { Progress } from '../progress.js';
import { render } from '../render.js';
import { timeRangeFromFlags } from '../time-range.js';
import { loadRulesForCli, reportLoadNotes, rulesOption } from './detect.js';

const HUNT_OUTPUTS = ['table', 'json', 'ndjson'] as const;
/** `--include-archive` without a target: every archive the data directory's catalog names. */
const CATALOG = '@catalog';

interface HuntOptions {
  dataDir: string;
  rules: string[];
  since?: string;
  until?: string;
  includeArchive: string[];
  s3Endpoint?: string;
  output: (typeof HUNT_OUTPUTS)[number];
  storeAlerts: boolean;
}

export function register(program: Command): void {
  program
    .command('hunt')
    .description('Retro-hunt: run detection rules over stored (and archived) history and report what they would have caught')
    .addOption(dataDirOption())
    .addOption(rulesOption())
    .option('--since <when>', 'hunt from: a duration back from now (180d, 12w) or an RFC 3339 time (default: the oldest event)')
    .option('--until <when>', 'hunt up to (exclusive): a duration back from now or an RFC 3339 time (default: the newest event)')
    .addOption(
      new Option('--include-archive [dir|s3://bucket/prefix]', 'also replay archived events: those archived there (repeatable), or without a target every archive vigil archive wrote to')
        .preset(CATALOG)
        .argParser((value: string, previous: string[]) => [...previous, value])
        .default([]),
    )
    .option('--s3-endpoint <url>', 'S3-compatible endpoint for s3:// archives, e.g. http://127.0.0.1:9000 (default $AWS_ENDPOINT_URL)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(HUNT_OUTPUTS).default('table'))
    .option('--store-alerts', 'file the alerts in the data directory\'s alert store, marked origin "retro-hunt" (alerts live detection already raised are left alone)', false)
    .addHelpText(
      'after',
      `
Rules run as they do live (stateful operators included) in event time over the events in time
order, so a new rule shows what it would have caught had it been loaded all along. Exit status 1
when any alert is found, 0 when none.

Examples:
  vigil hunt --rules ./new-rule.yaml --since 180d
  vigil hunt --rules builtin --since 2026-01-01 --until 2026-02-01 -o ndjson
  vigil hunt --rules sigma-rules/ --since 365d --include-archive --store-alerts
  vigil hunt --rules ./new-rule.yaml --since 365d --include-archive s3://audit-archive/prod`,
    )
    .action(async (options: HuntOptions) => {
      process.exitCode = await runHunt(options);
    });
}

async function runHunt(options: HuntOptions): Promise<number> {
  const ruleSet = loadRulesForCli(options.rules);
  reportLoadNotes(ruleSet.notes);
  const range = timeRange(options);
  const db = openDatabase(options.dataDir, { mustExist: true, readonly: !options.storeAlerts });
  try {
    const alertStore = options.storeAlerts ? new SqliteAlertStore(db) : undefined;
    const filed: FiledAlerts = { filed: 0, alreadyRaised: 0 };
    const collected: AlertJson[] = [];
    const onAlerts = async (alerts: AlertJson[]) => {
      if (alertStore !== undefined) {
        const result = await fileRetroHuntAlerts(alertStore, alerts);
        filed.filed += result.filed;
        filed.alreadyRaised += result.alreadyRaised;
      }
      if (options.output === 'ndjson') process.stdout.write(render('ndjson', alerts, () => alertTable(alerts)));
      else collected.push(...alerts);
    };
    const archives = archiveTargets(db, options.includeArchive);
    const history = openHistory(db, range, { archives: archives.targets, readArchive: archives.reader(options.s3Endpoint) });
    const progress: HuntProgress = { events: 0, clock: Number.NEGATIVE_INFINITY };
    const end = range.until ?? history.storedSpan?.to ?? Date.now();
    const bar = new HistoryBar(progress, range.since, end);
    const summary = await hunt(ruleSet.rules, bar.watch(history.events), onAlerts, progress).finally(() => bar.stop());
    if (options.output !== 'ndjson') {
      collected.sort((a, b) => a.firstSeen.localeCompare(b.firstSeen));
      process.stdout.write(render(options.output, collected, () => alertTable(collected)));
    }
    reportSummary(summary, history.stats, alertStore === undefined ? undefined : filed);
    return summary.alerts > 0 ? exitCodes.problems : exitCodes.ok;
  } finally {
    db.close();
  }
}

/**
 * The archives to replay: those named, and for a bare `--include-archive` every target in the
 * catalog. Segments restored into the hot store are skipped there (the merge would drop their
 * events as duplicates anyway, but need not read them).
 */
function archiveTargets(db: SqliteDatabase, requested: readonly string[]): { targets: string[]; reader: (s3Endpoint?: string) => ArchiveReader } {
  const catalog = listCatalogSegments(db);
  const named = requested.filter((target) => target !== CATALOG);
  const targets = new Set(named);
  if (requested.includes(CATALOG)) {
    if (catalog.length === 0 && named.length === 0) throw new UsageError(`--include-archive: nothing has been archived from ${db.name}; name the archive (a directory or s3://bucket/prefix)`);
    for (const segment of catalog) targets.add(segment.target);
  }
  const restored = (target: string) => new Set(catalog.filter((s) => s.target === target && s.restoredBy !== null).map((s) => s.name));
  return {
    targets: [...targets],
    reader: (s3Endpoint) => (target, range) => readArchivedEvents(target, range, { s3Endpoint, skipSegments: restored(target) }),
  };
}

function timeRange(options: HuntOptions): TimeRange {
  const range = timeRangeFromFlags(options);
  if (range.since !== undefined && range.until !== undefined && range.since >= range.until) {
    throw new UsageError(`--since (${new Date(range.since).toISOString()}) must be before --until (${new Date(range.until).toISOString()})`);
  }
  return range;
}

/**
 * Progress over event time, which is known for the hot store and archives alike without
 * counting anything first: the bar runs from the range start (or the first event replayed) to
 * its end, and the ETA follows from how fast the hunt moves through history.
 */
class HistoryBar {
  private bar: Progress | undefined;

  constructor(
    private readonly progress: HuntProgress,
    private readonly since: number | undefined,
    private readonly end: number,
  ) {}

  async *watch(events: AsyncIterable<readonly VigilEvent[]>): AsyncGenerator<readonly VigilEvent[]> {
    for await (const batch of events) {
      if (this.bar === undefined && batch.length > 0) this.start(this.since ?? batch[0].timestamp);
      yield batch;
    }
  }

  stop(): void {
    this.bar?.stop();
  }

  private start(from: number): void {
    const span = Math.max(this.end - from, 1);
    const [unitMs, unit] = span >= 2 * 86_400_000 ? [3_600_000, 'h of history'] : [60_000, 'min of history'];
    const reached = () => (this.progress.clock > from ? Math.floor((this.progress.clock - from) / unitMs) : 0);
    this.bar = countProgress(Math.ceil(span / unitMs), reached, 'hunt', unit);
  }
}

function reportSummary(summary: HuntSummary, stats: { duplicates: number; outOfOrder: number }, filed: FiledAlerts | undefined): void {
  const lines: string[] = [];
  const rate = summary.seconds > 0 ? Math.round(summary.events / summary.seconds) : summary.events;
  const span = summary.firstEvent === undefined || summary.lastEvent === undefined ? '' : ` from ${iso(summary.firstEvent)} to ${iso(summary.lastEvent)}`;
  lines.push(`hunted ${summary.events} events${span} in ${summary.seconds.toFixed(1)} s (${rate} events/s): ${summary.alerts} alert(s)`);
  for (const [rule, count] of [...summary.alertsByRule].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) lines.push(`  ${rule}: ${count}`);
  if (stats.duplicates > 0) lines.push(`${stats.duplicates} event(s) were both archived and in the hot store; each was replayed once`);
  if (stats.outOfOrder > 0) lines.push(`warning: ${stats.outOfOrder} event(s) arrived out of time order from an archive; windows around them may differ from live detection`);
  if (filed !== undefined) lines.push(`stored ${filed.filed} alert(s) marked retro-hunt; ${filed.alreadyRaised} already raised by live detection were left as they are`);
  process.stderr.write(`${lines.join('\n')}\n`);
}

function iso(time: number): string {
  return new Date(time).toISOString();
}
