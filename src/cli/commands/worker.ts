import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import pino from 'pino';
import { connectBus } from '../../bus/connection.js';
import { partitionMapping } from '../../bus/subjects.js';
import type { AlertStore } from '../../detect/alert-store.js';
import { loadRuleSet } from '../../detect/loader.js';
import { ClickHouseAlertStore } from '../../store/clickhouse/alert-store.js';
import { ClickHouseStore } from '../../store/clickhouse/clickhouse-store.js';
import { type StoreLocation, parseStoreUrl } from '../../store/clickhouse/url.js';
import { SqliteAlertStore } from '../../store/sqlite/alert-store.js';
import { openDatabase } from '../../store/sqlite/database.js';
import { type PartitionStoreFactory, partitionLog } from '../../worker/partition-store.js';
import { parsePartitions } from '../../worker/partitions.js';
import { sqlitePartitionStores } from '../../worker/sqlite-partition-store.js';
import { Worker } from '../../worker/worker.js';
import { UsageError } from '../exit.js';
import { positiveInteger } from '../options.js';

interface WorkerCliOptions {
  bus: string;
  store: string;
  partitions: string;
  rules: string;
  alerts?: string;
  name?: string;
  leaseTtl: number;
  ackWait: number;
  maxAckPending: number;
  batch: number;
  logLevel: string;
}

export function register(program: Command): void {
  program
    .command('worker')
    .description('Scale-out: consume partitions of the NATS JetStream bus, detect, and store (vigil serve --bus publishes to it)')
    .requiredOption('--bus <url>', 'the NATS server, e.g. nats://nats.vigil.svc:4222')
    .requiredOption('--store <url>', 'where partitions are stored: clickhouse://host:8123/db (ledger log p<N> per partition) or a directory (one SQLite data dir per partition)')
    .requiredOption('--partitions <ranges>', 'partitions this worker may own, e.g. 0-3 or 0,2; overlapping workers take over each other')
    .option('--rules <builtin|path|none>', 'detection rules run on each partition; alerts land in the alert store', 'builtin')
    .option('--alerts <url>', 'where alerts go (default: the ClickHouse store, or <dir>/alerts beside SQLite partitions)')
    .option('--name <id>', 'this worker in partition leases and logs (default host-pid)')
    .option('--lease-ttl <ms>', "a dead worker's partitions are taken over this long after its last renewal", positiveInteger('--lease-ttl'), 15_000)
    .option('--ack-wait <ms>', 'a record delivered but not acknowledged is delivered again after this', positiveInteger('--ack-wait'), 30_000)
    .option('--max-ack-pending <n>', 'records delivered and not yet acknowledged, per partition', positiveInteger('--max-ack-pending'), 5000)
    .option('--batch <n>', 'records stored per append', positiveInteger('--batch'), 1000)
    .option('--log-level <level>', 'log level (pino)', 'info')
    .addHelpText(
      'after',
      `
Receivers (vigil serve --bus) publish to vigil.records.<entity>; nats-server maps that to
vigil.part.<p>.<entity> with an account mapping (nats-server 2.8+), which must be in its config
and name the partition count the workers' --partitions cover, e.g. for 4 partitions:
${partitionMapping(4)}
Example, two workers sharing four partitions:
  vigil worker --bus nats://127.0.0.1:4222 --store clickhouse://127.0.0.1:8123/vigil --partitions 0-3
  vigil worker --bus nats://127.0.0.1:4222 --store clickhouse://127.0.0.1:8123/vigil --partitions 0-3`,
    )
    .action(async (options: WorkerCliOptions) => {
      await runWorker(options);
    });
}

async function runWorker(options: WorkerCliOptions): Promise<void> {
  let partitions: number[];
  try {
    partitions = parsePartitions(options.partitions);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const owner = options.name ?? `${hostname()}-${process.pid}`;
  const log = pino({ name: 'vigil-worker', level: options.logLevel, base: { worker: owner } });
  const { stores, alerts } = await openStores(options);
  const rules = options.rules === 'none' ? [] : loadRuleSet(options.rules);
  const bus = await connectBus(options.bus, `vigil-worker ${owner}`, { info: (m) => log.info(m), warn: (m) => log.warn(m) });
  const worker = await Worker.start({
    bus,
    partitions,
    owner,
    stores,
    alerts: alerts?.store,
    rules,
    leaseTtlMs: options.leaseTtl,
    ackWaitMs: options.ackWait,
    maxAckPending: options.maxAckPending,
    batchSize: options.batch,
    log,
  });
  // Listening for the signals before saying "started": whoever waits for that line may stop us at once.
  const stopRequested = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  process.stdout.write(`vigil worker ${owner} started (partitions ${options.partitions}; owns ${worker.owned().join(',') || 'none yet'})\n`);
  await stopRequested;
  await worker.stop();
  await bus.close();
  await alerts?.close();
  log.info('stopped');
}

interface OpenedStores {
  stores: PartitionStoreFactory;
  alerts?: { store: AlertStore; close(): Promise<void> };
}

/**
 * `--store` as elsewhere in Vigil: `clickhouse://…/db` (every partition its own ledger log `p<N>`
 * in one database; alerts there too, for every worker and API server) or a SQLite directory (one
 * data dir per partition under it; alerts in `<dir>/alerts`), for trying the topology on one machine.
 */
async function openStores(options: WorkerCliOptions): Promise<OpenedStores> {
  let location: StoreLocation;
  let alertsLocation: StoreLocation | undefined;
  try {
    location = parseStoreUrl(options.store);
    alertsLocation = options.alerts === undefined ? undefined : parseStoreUrl(options.alerts);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const stores: PartitionStoreFactory =
    location.kind === 'clickhouse'
      ? (partition) => ClickHouseStore.open(options.store, { log: partitionLog(partition) })
      : sqlitePartitionStores(location.dataDir);
  if (options.rules === 'none') return { stores };
  const alertsAt = alertsLocation ?? (location.kind === 'clickhouse' ? location : { kind: 'sqlite' as const, dataDir: join(location.dataDir, 'alerts') });
  if (alertsAt.kind === 'clickhouse') {
    const store = await ClickHouseAlertStore.open(options.alerts ?? options.store);
    return { stores, alerts: { store, close: () => store.close() } };
  }
  const db = openDatabase(alertsAt.dataDir);
  return { stores, alerts: { store: new SqliteAlertStore(db), close: async () => void db.close() } };
}
