import { type Command, Option } from 'commander';
import type { AlertStatus } from '../../detect/alert-store.js';
import { SEVERITIES, type Severity } from '../../detect/rule-schema.js';
import { parseTimeBound } from '../../query/index.js';
import { SqliteAlertStore } from '../../store/sqlite/alert-store.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { alertTable } from '../alert-table.js';
import { UsageError, exitCodes } from '../exit.js';
import { type OutputFormat, dataDirOption, outputOption, positiveInteger } from '../options.js';
import { render } from '../render.js';

const STATUSES: readonly AlertStatus[] = ['open', 'acknowledged', 'resolved'];

interface ListOptions {
  status?: AlertStatus;
  severity?: Severity;
  rule?: string;
  cluster?: string;
  since?: string;
  limit: number;
  output: OutputFormat;
  dataDir: string;
}

export function register(program: Command): void {
  const alerts = program.command('alerts').description('Alerts raised by the detection rules on stored events');
  alerts
    .command('list')
    .description('List alerts, most recently active first')
    .addOption(new Option('--status <status>').choices(STATUSES))
    .addOption(new Option('--severity <level>', 'this severity or higher').choices(SEVERITIES))
    .option('--rule <id>', 'only this rule')
    .option('--cluster <name>', 'only this cluster')
    .option('--since <when>', 'last seen at or after: 1h, 7d or an RFC 3339 time')
    .option('--limit <n>', 'at most this many', positiveInteger('--limit'), 200)
    .addOption(outputOption())
    .addOption(dataDirOption())
    .addHelpText('after', '\nExamples:\n  vigil alerts list --severity high\n  vigil alerts list --rule k8s-mass-delete --since 24h -o json')
    .action((options: ListOptions) =>
      withAlerts(options.dataDir, async (store) => {
        const since = options.since === undefined ? undefined : parseSince(options.since);
        const list = await store.listAlerts({ ...options, ruleId: options.rule, since });
        process.stdout.write(render(options.output, list, () => alertTable(list, true)));
      }),
    );
  alerts
    .command('show')
    .description('Show one alert with its event ids (vigil query "event.id=…" shows the events)')
    .argument('<id>')
    .addOption(outputOption('yaml'))
    .addOption(dataDirOption())
    .action((id: string, options: { output: OutputFormat; dataDir: string }) =>
      withAlerts(options.dataDir, async (store) => {
        const alert = await store.getAlert(id);
        if (!alert) {
          process.stderr.write(`vigil: no alert with id "${id}"; see vigil alerts list\n`);
          process.exitCode = exitCodes.problems;
          return;
        }
        process.stdout.write(render(options.output, [alert], () => alertTable([alert], true)));
      }),
    );
}

function parseSince(text: string): number {
  try {
    return parseTimeBound(text, Date.now());
  } catch (error) {
    throw new UsageError(`--since: ${(error as Error).message}`);
  }
}

async function withAlerts(dataDir: string, work: (alerts: SqliteAlertStore) => Promise<void>): Promise<void> {
  const store = SqliteStore.open(dataDir);
  try {
    await work(new SqliteAlertStore(store.db));
  } finally {
    await store.close();
  }
}
