import { type Command, Option } from 'commander';
import { loadRuleSet } from '../../detect/loader.js';
import { DetectionStage } from '../../ingest/detection-stage.js';
import { formatSummary, ingestBatches } from '../../ingest/ingest.js';
import { withSourceHealth } from '../../sources/health/hooks.js';
import { SourceHealthRecorder } from '../../sources/health/source-health.js';
import { inputFromPath, totalBytesRead, totalSize } from '../../sources/input.js';
import { readEvents } from '../../sources/read.js';
import { DEFAULT_LIMITS } from '../../sources/records.js';
import { SOURCES, findSource } from '../../sources/registry.js';
import type { Source } from '../../sources/source.js';
import { SqliteAlertStore } from '../../store/sqlite/alert-store.js';
import { SqliteSourceHealth } from '../../store/sqlite/source-health.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { UsageError, exitCodes } from '../exit.js';
import { clusterOption, dataDirOption, positiveInteger } from '../options.js';
import { byteProgress } from '../progress.js';
import { openLedger } from './ingest-ledger.js';
import { signingKeyOption, witnessOption } from './ledger-options.js';
import { printQuarantine } from './quarantine-output.js';

interface IngestOptions {
  rules: string;
  source: string;
  cluster: string;
  dataDir: string;
  maxRecordBytes: number;
  showQuarantine: boolean;
  witness: string[];
  signingKey?: string;
}

export function register(program: Command): void {
  program
    .command('ingest')
    .description('Store log records from files or stdin (JSON lines, pretty-printed JSON, EventList; gzip recognised)')
    .argument('[paths...]', 'files to read; - for stdin')
    .addOption(new Option('--source <kind>', 'kind of records').choices(['auto', ...SOURCES.map((s) => s.name)]).default('auto'))
    .addOption(clusterOption())
    .addOption(dataDirOption())
    .option('--max-record-bytes <n>', 'quarantine records larger than this', positiveInteger('--max-record-bytes'), DEFAULT_LIMITS.maxRecordBytes)
    .option('--show-quarantine', 'list the quarantined records kept so far and exit', false)
    .option('--rules <builtin|path|none>', 'detection rules run on what is stored; alerts land in vigil alerts', 'builtin')
    .addOption(witnessOption())
    .addOption(signingKeyOption())
    .addHelpText('after', '\nExamples:\n  vigil ingest --cluster prod-eu /var/log/kubernetes/audit/audit.log\n  zcat audit-*.log.gz | vigil ingest --cluster prod-eu -\n  vigil ingest --show-quarantine')
    .action(async (paths: string[], options: IngestOptions) => {
      process.exitCode = await runIngest(paths, options);
    });
}

async function runIngest(paths: string[], options: IngestOptions): Promise<number> {
  const store = SqliteStore.open(options.dataDir, { durability: 'close' });
  try {
    if (options.showQuarantine) return printQuarantine(await store.listQuarantine(10_000));
    if (paths.length === 0) throw new UsageError('ingest needs at least one path (or - for stdin); see vigil ingest --help');
    const inputs = paths.map(inputFromPath);
    const source: Source | undefined = options.source === 'auto' ? undefined : findSource(options.source);
    const progress = byteProgress(totalSize(inputs), () => totalBytesRead(inputs), 'ingest');
    const started = Date.now();
    const ledger = await openLedger(store, paths, options);
    const batches = readEvents(inputs, {
      source,
      cluster: options.cluster,
      limits: { ...DEFAULT_LIMITS, maxRecordBytes: options.maxRecordBytes },
    });
    const detection = detectionStage(options.rules, store);
    const hooks = withSourceHealth(new SourceHealthRecorder(new SqliteSourceHealth(store.db)), { onStored: (events) => detection?.process(events) });
    const summary = await ingestBatches(batches, store, hooks).catch(async (error: Error) => {
      await ledger.finish(error);
      throw error;
    });
    detection?.saveWindows();
    progress.stop();
    const witnessFailures = await ledger.finish(summary);
    const seconds = (Date.now() - started) / 1000;
    process.stderr.write(`${formatSummary(summary)} (cluster "${options.cluster}", ${seconds.toFixed(1)} s)\n`);
    if (summary.quarantined > 0) process.stderr.write('see what was quarantined and why: vigil ingest --show-quarantine\n');
    return summary.quarantined > 0 || witnessFailures > 0 ? exitCodes.problems : exitCodes.ok;
  } finally {
    await store.close();
  }
}

function detectionStage(rules: string, store: SqliteStore): DetectionStage | undefined {
  if (rules === 'none') return undefined;
  return new DetectionStage(loadRuleSet(rules), new SqliteAlertStore(store.db), store.db);
}
