import { hostname } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { connectBus } from '../../bus/connection.js';
import { PartitionCountError } from '../../bus/partition-count.js';
import type { AlertStore } from '../../detect/alert-store.js';
import { loadRuleSet } from '../../detect/loader.js';
import { partitionableRules } from '../../worker/partition-detection.js';
import { type SigningKey, verifierKeyText } from '../../ledger/checkpoint.js';
import { ClickHouseAlertStore } from '../../store/clickhouse/alert-store.js';
import { ClickHouseStore } from '../../store/clickhouse/clickhouse-store.js';
import { type StoreLocation, parseStoreUrl, redact } from '../../store/clickhouse/url.js';
import { SqliteAlertStore } from '../../store/sqlite/alert-store.js';
import { openDatabase } from '../../store/sqlite/database.js';
import { ClickHousePartitionLedger } from '../../worker/clickhouse-partition-ledger.js';
import { partitionLog } from '../../worker/partition-store.js';
import { parsePartitions } from '../../worker/partitions.js';
import { openSqlitePartitionLedger } from '../../worker/sqlite-partition-ledger.js';
import { type SqlitePartitionStore, sqlitePartitionStores } from '../../worker/sqlite-partition-store.js';
import { loadWorkerSigningKey } from '../../worker/worker-signing-key.js';
import { Worker, type WorkerOptions } from '../../worker/worker.js';
import { UsageError } from '../exit.js';
import type { WorkerCliOptions } from './worker.js';

/** `vigil worker`: takes its share of the partitions, stores and detects until SIGINT or SIGTERM. */
export async function runWorker(options: WorkerCliOptions): Promise<void> {
  let partitions: number[];
  try {
    partitions = parsePartitions(options.partitions);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const owner = options.name ?? `${hostname()}-${process.pid}`;
  const log = pino({ name: 'vigil-worker', level: options.logLevel, base: { worker: owner } });
  const backend = await openBackend(options);
  const { rules, leftOut } = partitionableRules(options.rules === 'none' ? [] : loadRuleSet(options.rules));
  if (leftOut.length > 0) log.warn(`absence rules do not run in workers (${leftOut.join(', ')}): a partition sees only its share of each stream, so its silences are not the cluster's`);
  const bus = await connectBus(options.bus, `vigil-worker ${owner}`, { info: (m) => log.info(m), warn: (m) => log.warn(m) });
  let worker: RunningPartitions;
  try {
    worker = await backend.start({
      bus,
      partitions,
      owner,
      alerts: backend.alerts?.store,
      rules,
      leaseTtlMs: options.leaseTtl,
      ackWaitMs: options.ackWait,
      maxAckPending: options.maxAckPending,
      batchSize: options.batch,
      log,
    });
  } catch (error) {
    await bus.close();
    await backend.alerts?.close();
    if (error instanceof PartitionCountError) throw new UsageError(error.message);
    throw error;
  }
  // Listening for the signals before saying "started": whoever waits for that line may stop us at once.
  const stopRequested = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  if (backend.verifierKey) {
    process.stdout.write(`checkpoints verify with: vigil verify --store ${redact(options.store)} --public-key '${backend.verifierKey}'\n`);
  }
  process.stdout.write(`vigil worker ${owner} started (partitions ${options.partitions}; owns ${worker.owned().join(',') || 'none yet'})\n`);
  await stopRequested;
  await worker.stop();
  await bus.close();
  await backend.alerts?.close();
  log.info('stopped');
}

type SharedWorkerOptions = Omit<WorkerOptions, 'stores' | 'ledgers'>;

interface RunningPartitions {
  owned(): number[];
  stop(): Promise<void>;
}

/** Where partitions are stored and how their logs are signed: the store type and its ledger go together. */
interface PartitionBackend {
  start(shared: SharedWorkerOptions): Promise<RunningPartitions>;
  /** The install's verifier key, when every partition signs under one (ClickHouse). */
  verifierKey?: string;
  alerts?: { store: AlertStore; close(): Promise<void> };
}

/**
 * `--store` as elsewhere in Vigil: `clickhouse://…/db` (every partition its own ledger log `p<N>`
 * in one database, signed with the shared key; alerts there too, for every worker and API
 * server) or a SQLite directory (one data dir per partition under it, each signing as a data dir
 * does; alerts in `<dir>/alerts`), for trying the topology on one machine.
 */
async function openBackend(options: WorkerCliOptions): Promise<PartitionBackend> {
  let location: StoreLocation;
  let alertsLocation: StoreLocation | undefined;
  try {
    location = parseStoreUrl(options.store);
    alertsLocation = options.alerts === undefined ? undefined : parseStoreUrl(options.alerts);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const backend = location.kind === 'clickhouse' ? await clickhouseBackend(options) : sqliteBackend(location.dataDir, options);
  if (options.rules === 'none') return backend;
  const alertsAt = alertsLocation ?? (location.kind === 'clickhouse' ? location : { kind: 'sqlite' as const, dataDir: join(location.dataDir, 'alerts') });
  if (alertsAt.kind === 'clickhouse') {
    const store = await ClickHouseAlertStore.open(options.alerts ?? options.store);
    return { ...backend, alerts: { store, close: () => store.close() } };
  }
  const db = openDatabase(alertsAt.dataDir);
  return { ...backend, alerts: { store: new SqliteAlertStore(db), close: async () => void db.close() } };
}

async function clickhouseBackend(options: WorkerCliOptions): Promise<PartitionBackend> {
  if (options.signingKey === undefined) {
    throw new UsageError(
      'vigil worker --store clickhouse://… needs --signing-key FILE (or $VIGIL_SIGNING_KEY): every worker signs the partitions\' logs with the same Ed25519 key; ' +
        'make one with: openssl genpkey -algorithm ed25519 -out vigil-ledger.key && chmod 600 vigil-ledger.key',
    );
  }
  const key: SigningKey = await loadWorkerSigningKey(options.signingKey);
  return {
    verifierKey: verifierKeyText(key),
    start: (shared) =>
      Worker.start<ClickHouseStore>({
        ...shared,
        stores: (partition) => ClickHouseStore.open(options.store, { log: partitionLog(partition) }),
        ledgers: async (_partition, store) => new ClickHousePartitionLedger(store, key, options.witness),
      }),
  };
}

function sqliteBackend(root: string, options: WorkerCliOptions): PartitionBackend {
  return {
    start: (shared) =>
      Worker.start<SqlitePartitionStore>({
        ...shared,
        stores: sqlitePartitionStores(root),
        ledgers: (partition, store) => openSqlitePartitionLedger(partition, store, join(root, partitionLog(partition)), options.signingKey, options.witness),
      }),
  };
}
