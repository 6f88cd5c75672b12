import type { Command } from 'commander';
import { type SourceHealthReport, expectedIntervals, healthReport } from '../../sources/health/report.js';
import { openDatabase } from '../../store/sqlite/database.js';
import { SqliteSourceHealth } from '../../store/sqlite/source-health.js';
import { exitCodes } from '../exit.js';
import { type OutputFormat, dataDirOption, outputOption } from '../options.js';
import { type Table, render } from '../render.js';
import { loadRulesForCli, rulesOption } from './detect.js';

interface SourcesOptions {
  output: OutputFormat;
  dataDir: string;
  rules: string[];
}

export function register(program: Command): void {
  program
    .command('sources')
    .description('List every log source and origin seen: first/last seen, rate, lag, errors, quarantined and dropped records')
    .addOption(outputOption())
    .addOption(dataDirOption())
    .addOption(rulesOption())
    .addHelpText(
      'after',
      `
A source is "silent" when nothing arrived for longer than its absence rule allows (--rules), the
same limit that raises the absence alert. Exit status 1 when a source is silent.

Examples:
  vigil sources
  vigil sources -o json`,
    )
    .action((options: SourcesOptions) => {
      const expected = expectedIntervals(loadRulesForCli(options.rules).rules);
      const db = openDatabase(options.dataDir, { mustExist: true });
      let reports: SourceHealthReport[];
      try {
        reports = healthReport(new SqliteSourceHealth(db).list(), expected, Date.now());
      } finally {
        db.close();
      }
      const documents = reports.map(toDocument);
      process.stdout.write(render(options.output, documents, () => sourcesTable(reports)));
      process.exitCode = reports.some((report) => report.status === 'silent') ? exitCodes.problems : exitCodes.ok;
    });
}

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

function toDocument(report: SourceHealthReport): Record<string, unknown> {
  return { ...report, firstSeen: iso(report.firstSeen), lastSeen: iso(report.lastSeen), lastReceived: iso(report.lastReceived) };
}

function sourcesTable(reports: readonly SourceHealthReport[]): Table {
  return {
    columns: ['cluster', 'source', 'origin', 'status', 'silent for', 'last seen', 'first seen', 'count', 'rate/min', 'lag', 'errors', 'quarantined', 'dropped'],
    rows: reports.map((report) => [
      report.cluster || '-',
      report.source,
      report.origin || '-',
      report.status,
      duration(report.silentForMs),
      iso(report.lastSeen),
      iso(report.firstSeen),
      report.count,
      report.ratePerMinute,
      duration(report.lagMs),
      report.errors,
      report.quarantined,
      report.dropped,
    ]),
  };
}

/** `42s`, `12m`, `3h`, `5d`: the coarsest whole unit. */
function duration(ms: number | undefined): string | undefined {
  if (ms === undefined) return undefined;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}
