import { type Command, Option } from 'commander';
import { LedgerAdminRecorder } from '../../alert/admin-recorder.js';
import { AlertActionError } from '../../alert/alert-action-error.js';
import { openAlertingState } from '../../alert/alerting-state.js';
import { AlertsApiClient } from '../../alert/api-client.js';
import { defaultAlertingConfig } from '../../alert/config.js';
import type { AlertOperations, DeliveryView, SilenceView } from '../../alert/operations.js';
import { AlertService } from '../../alert/service.js';
import type { AlertStatus } from '../../detect/alert-store.js';
import { SEVERITIES, type Severity } from '../../detect/rule-schema.js';
import { parseTimeBound } from '../../query/index.js';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../../store/sqlite/outbox.js';
import { LedgerSession } from '../../ledger/ledger-session.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { ClickHouseAlertStore } from '../../store/clickhouse/alert-store.js';
import { alertTable } from '../alert-table.js';
import { currentUser } from '../current-user.js';
import { UsageError, exitCodes } from '../exit.js';
import { type OutputFormat, dataDirOption, outputOption, positiveInteger } from '../options.js';
import { render } from '../render.js';
import { signingKeyOption, witnessOption } from './ledger-options.js';
import { storeOption } from './store-option.js';

const STATUSES: readonly AlertStatus[] = ['open', 'acknowledged', 'resolved'];

interface Target {
  dataDir: string;
  server?: string;
  token?: string;
  actor?: string;
  /** Actions on the data directory are signed into the ledger at the end (as vigil ingest does). */
  signingKey?: string;
  witness?: string[];
  /** `clickhouse://…`: read the alerts the scale-out workers keep (list and show). */
  store?: string;
}

interface ListOptions extends Target {
  status?: AlertStatus;
  severity?: Severity;
  rule?: string;
  cluster?: string;
  since?: string;
  limit: number;
  output: OutputFormat;
}

interface SilenceOptions extends Target {
  matcher: string[];
  for?: string;
  until?: string;
  start?: string;
  comment: string;
  output: OutputFormat;
}

interface DeliveriesOptions extends Target {
  status?: DeliveryStatus;
  receiver?: string;
  alert?: string;
  limit: number;
  retry?: number;
  output: OutputFormat;
}

export function register(program: Command): void {
  const alerts = program
    .command('alerts')
    .description('Alerts raised by the detection rules: list, acknowledge, resolve, silence, and their notifications')
    .addHelpText(
      'after',
      '\nEvery command works on the data directory, or through a running server with --server URL (and a token\nin VIGIL_TOKEN or --token). While vigil serve runs on a data directory, act through it with --server.',
    );
  targeted(alerts.command('list').description('List alerts, most recently active first'))
    .addOption(new Option('--status <status>').choices(STATUSES))
    .addOption(new Option('--severity <level>', 'this severity or higher').choices(SEVERITIES))
    .option('--rule <id>', 'only this rule')
    .option('--cluster <name>', 'only this cluster')
    .option('--since <when>', 'last seen at or after: 1h, 7d or an RFC 3339 time')
    .option('--limit <n>', 'at most this many', positiveInteger('--limit'), 200)
    .addOption(outputOption())
    .addOption(storeOption())
    .addHelpText('after', '\nExamples:\n  vigil alerts list --severity high\n  vigil alerts list --rule k8s-mass-delete --since 24h -o json\n  vigil alerts list --store clickhouse://127.0.0.1:8123/vigil --status open')
    .action((options: ListOptions) => {
      const since = options.since === undefined ? undefined : parseSince(options.since);
      const filter = { status: options.status, severity: options.severity, ruleId: options.rule, cluster: options.cluster, since, limit: options.limit };
      const print = (list: Array<Parameters<typeof alertTable>[0][number]>) => {
        process.stdout.write(render(options.output, list, () => alertTable(list, true)));
      };
      if (options.store !== undefined) return withClickHouseAlerts(options.store, async (alerts) => print(await alerts.listAlerts(filter)));
      return withOperations(options, 'reads', async (ops) => print(await ops.list(filter)));
    });
  targeted(alerts.command('show').description('Show one alert: its event ids, transitions (who, when, why), escalations and deliveries'))
    .argument('<id>')
    .addOption(outputOption('yaml'))
    .addOption(storeOption())
    .action((id: string, options: Target & { output: OutputFormat }) => {
      const print = (alert: Parameters<typeof alertTable>[0][number] | undefined) => {
        if (!alert) throw new AlertActionError(`no alert with id "${id}"; see vigil alerts list`, 'not-found');
        process.stdout.write(render(options.output, [alert], () => alertTable([alert], true)));
      };
      if (options.store !== undefined) return withClickHouseAlerts(options.store, async (alerts) => print(await alerts.getAlert(id)));
      return withOperations(options, 'reads', async (ops) => print(await ops.show(id)));
    });
  for (const [name, verb] of [
    ['ack', 'Acknowledge an alert: its escalation stops; receivers that were notified are told'],
    ['resolve', 'Resolve an alert: receivers that were notified get a resolved notice'],
  ] as const) {
    acting(alerts.command(name).description(verb))
      .argument('<id>')
      .option('--reason <text>', 'why (kept with the transition and in the ledger)', '')
      .addOption(outputOption())
      .addHelpText('after', `\nExample:\n  vigil alerts ${name} 3f2a9c… --reason "${name === 'ack' ? 'looking into it' : 'planned maintenance, confirmed with the owner'}"`)
      .action((id: string, options: Target & { reason: string; output: OutputFormat }) =>
        withOperations(options, 'writes', async (ops) => {
          const alert = name === 'ack' ? await ops.acknowledge(id, options.reason) : await ops.resolve(id, options.reason);
          process.stdout.write(render(options.output, [alert], () => alertTable([alert], true)));
        }),
      );
  }
  acting(alerts.command('silence').description('Silence the alerts that match: no escalation, no notification until it ends'))
    .requiredOption('-m, --matcher <matcher>', 'LABEL OP VALUE, e.g. rule=k8s-exec-into-pod, severity<=medium, namespace=~"dev-.*" (repeatable; all must match)', collect, [])
    .option('--for <duration>', 'how long, e.g. 2h')
    .option('--until <time>', 'until this RFC 3339 time')
    .option('--start <time>', 'from this RFC 3339 time (default now)')
    .requiredOption('--comment <text>', 'why')
    .addOption(outputOption())
    .addHelpText('after', '\nLabels: severity, rule, title, format, technique and the entity keys (user, namespace, sourceIP, cluster, …).\nExample:\n  vigil alerts silence -m rule=k8s-exec-into-pod -m namespace=dev --for 4h --comment "debugging session, ticket OPS-12"')
    .action((options: SilenceOptions) =>
      withOperations(options, 'writes', async (ops) => {
        if ((options.for === undefined) === (options.until === undefined)) throw new UsageError('give how long the silence lasts: --for 2h or --until 2026-07-01T18:00:00Z');
        const silence = await ops.silence({ matchers: options.matcher, duration: options.for, endsAt: options.until, startsAt: options.start, comment: options.comment });
        process.stdout.write(render(options.output, [silence], () => silenceTable([silence])));
      }),
    );
  acting(alerts.command('unsilence').description('End a silence now'))
    .argument('<silence-id>')
    .addOption(outputOption())
    .action((id: string, options: Target & { output: OutputFormat }) =>
      withOperations(options, 'writes', async (ops) => {
        const silence = await ops.unsilence(id);
        process.stdout.write(render(options.output, [silence], () => silenceTable([silence])));
      }),
    );
  targeted(alerts.command('silences').description('List silences that have not ended'))
    .addOption(outputOption())
    .action((options: Target & { output: OutputFormat }) =>
      withOperations(options, 'reads', async (ops) => {
        const list = await ops.silences();
        process.stdout.write(render(options.output, list, () => silenceTable(list)));
      }),
    );
  acting(alerts.command('deliveries').description('Notifications in the outbox: pending, delivered, dead letters'))
    .addOption(new Option('--status <status>').choices(DELIVERY_STATUSES))
    .option('--receiver <name>', 'only this receiver')
    .option('--alert <id>', 'only notifications about this alert')
    .option('--limit <n>', 'at most this many', positiveInteger('--limit'), 100)
    .option('--retry <delivery-id>', 'give a dead letter a fresh set of attempts', positiveInteger('--retry'))
    .addOption(outputOption())
    .addHelpText('after', '\nExamples:\n  vigil alerts deliveries --status dead\n  vigil alerts deliveries --retry 42')
    .action((options: DeliveriesOptions) =>
      withOperations(options, options.retry === undefined ? 'reads' : 'writes', async (ops) => {
        const list = options.retry === undefined ? await ops.deliveries({ status: options.status, receiver: options.receiver, alertId: options.alert, limit: options.limit }) : [await ops.requeue(options.retry)];
        process.stdout.write(render(options.output, list, () => deliveryTable(list)));
        if (options.retry === undefined && options.status === undefined && list.some((delivery) => delivery.status === 'dead')) {
          process.stderr.write('some notifications are dead letters; fix the receiver, then: vigil alerts deliveries --retry ID\n');
        }
      }),
    );
}

function targeted(command: Command): Command {
  return command
    .addOption(dataDirOption())
    .addOption(new Option('--server <url>', 'act through a running vigil serve instead of the data directory').env('VIGIL_SERVER'))
    .addOption(new Option('--token <token>', 'bearer token for --server (viewer to read, responder to act)').env('VIGIL_TOKEN'))
    .option('--actor <name>', 'who acts, without --server (default: your user name)');
}

/** A command that changes something: locally, the action is signed into the ledger before it exits. */
function acting(command: Command): Command {
  return targeted(command).addOption(signingKeyOption()).addOption(witnessOption());
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseSince(text: string): number {
  try {
    return parseTimeBound(text, Date.now());
  } catch (error) {
    throw new UsageError(`--since: ${(error as Error).message}`);
  }
}

/**
 * Runs against the server or the data directory; action errors are reported, not thrown (exit 1).
 * Local actions are appended to the ledger and signed in a checkpoint before the command exits.
 */
async function withOperations(target: Target, access: 'reads' | 'writes', work: (ops: AlertOperations) => Promise<void>): Promise<void> {
  try {
    if (target.server !== undefined) {
      if (target.token === undefined) throw new UsageError('--server needs a token: --token or VIGIL_TOKEN');
      await work(new AlertsApiClient(target.server, target.token));
      return;
    }
    await withDataDir(target, access, work);
  } catch (error) {
    if (!(error instanceof AlertActionError)) throw error;
    process.stderr.write(`vigil: ${error.message}\n`);
    process.exitCode = exitCodes.problems;
  }
}

/** Reads the scale-out store's alerts; acting on them goes through a vigil serve attached to it (--server). */
async function withClickHouseAlerts(url: string, work: (alerts: ClickHouseAlertStore) => Promise<void>): Promise<void> {
  const { ClickHouseAlertStore } = await import('../../store/clickhouse/alert-store.js');
  const alerts = await ClickHouseAlertStore.open(url);
  try {
    await work(alerts);
  } catch (error) {
    if (!(error instanceof AlertActionError)) throw error;
    process.stderr.write(`vigil: ${error.message}\n`);
    process.exitCode = exitCodes.problems;
  } finally {
    await alerts.close();
  }
}

async function withDataDir(target: Target, access: 'reads' | 'writes', work: (ops: AlertOperations) => Promise<void>): Promise<void> {
  const store = SqliteStore.open(target.dataDir, { mustExist: true });
  try {
    const report = (message: string) => process.stderr.write(`vigil: ${message}\n`);
    // The key is loaded first: nothing is changed unless the change can be signed.
    const session = access === 'writes' ? await LedgerSession.open(store, { dataDir: target.dataDir, keyFile: target.signingKey, witnessDirs: target.witness ?? [] }, report) : undefined;
    const recorder = session ? new LedgerAdminRecorder(session) : LedgerAdminRecorder.forStore(store);
    const config = defaultAlertingConfig();
    const service = new AlertService(openAlertingState(store.db, recorder), recorder, { config: () => config });
    try {
      await work(service.as(target.actor ?? currentUser()));
    } finally {
      const end = await session?.finish();
      if (end && end.witnessFailures > 0) process.exitCode = exitCodes.problems;
    }
  } finally {
    await store.close();
  }
}

function silenceTable(silences: readonly SilenceView[]) {
  return {
    columns: ['id', 'state', 'matchers', 'starts', 'ends', 'by', 'comment'],
    rows: silences.map((silence) => [silence.id, silence.state, silence.matchers.join(' '), silence.startsAt, silence.endsAt, silence.createdBy, silence.comment]),
  };
}

function deliveryTable(deliveries: readonly DeliveryView[]) {
  return {
    columns: ['id', 'receiver', 'status', 'attempts', 'created', 'next attempt', 'alerts', 'last error'],
    rows: deliveries.map((delivery) => [
      delivery.id,
      delivery.receiver,
      delivery.status,
      delivery.attempts,
      delivery.createdAt,
      delivery.nextAttemptAt,
      delivery.alerts.map((alert) => `${alert.event}:${alert.id}`).join(' '),
      delivery.lastError,
    ]),
  };
}
