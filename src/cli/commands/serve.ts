import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { LedgerAdminRecorder } from '../../alert/admin-recorder.js';
import { type AlertingConfig, AlertingConfigError } from '../../alert/config.js';
import { type ConfigSections, alertingConfigOf, readConfigSections } from '../../alert/config-file.js';
import { startAlerting } from '../../alert/runtime.js';
import { SharedAlertMirror } from '../../alert/shared-alert-mirror.js';
import { SharedStatusRecorder } from '../../alert/shared-status-recorder.js';
import { ConfigError, type LiveSourceConfig, parseServeConfig } from '../../config/serve-config.js';
import { loadRuleSet } from '../../detect/loader.js';
import { DetectionStage } from '../../ingest/detection-stage.js';
import { type IngestSummary, addBatch } from '../../ingest/ingest.js';
import { startLiveDetection } from '../../ingest/live-detection.js';
import type { VigilEvent } from '../../model/event.js';
import { buildServer } from '../../server/app.js';
import { TokenStore } from '../../server/auth/token-store.js';
import { DEMO_CLUSTER, replayDemo } from '../../server/demo-replay.js';
import type { SharedStoresHandle } from '../../server/shared-stores.js';
import { parseStoreUrl, redact } from '../../store/clickhouse/url.js';
import { packagePath } from '../../package-root.js';
import { withSourceHealth } from '../../sources/health/hooks.js';
import { SourceHealthRecorder } from '../../sources/health/source-health.js';
import { type RunningSources, startLiveSources } from '../../sources/live/from-config.js';
import { DEFAULT_LIMITS } from '../../sources/records.js';
import { SqliteSourceHealth } from '../../store/sqlite/source-health.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { LedgerSession } from '../../ledger/ledger-session.js';
import { startRetentionSchedule } from '../../archive/retention-policy.js';
import { UsageError } from '../exit.js';
import { dataDirOption, positiveInteger } from '../options.js';
import { signingKeyOption, witnessOption } from './ledger-options.js';

export interface ServeOptions {
  rules: string;
  listen: string;
  dataDir: string;
  bodyLimit: number;
  maxRecordBytes: number;
  maxEventLoopDelay: number;
  maxHeapBytes: number;
  logLevel: string;
  /** Directories every checkpoint is copied to (`--witness`, repeatable). */
  witness?: string[];
  signingKey?: string;
  /** Certificate and key files (PEM): serve HTTPS. */
  tlsCert?: string;
  tlsKey?: string;
  /** Serve /metrics without a token. */
  metricsPublic?: boolean;
  /** The cluster's audit policy, for the posture page's coverage matrix. */
  auditPolicy?: string;
  /** A fresh temporary data dir with the demo cluster replayed through the receiver. */
  demo?: boolean;
  /** YAML file naming live sources to follow (events watch, container logs, journald, syslog). */
  config?: string;
  /** Scale-out: receivers publish to this NATS JetStream bus for `vigil worker` to store and detect. */
  bus?: string;
  /** Scale-out, with `bus`: the workers' ClickHouse store, which the API and the UI read. */
  store?: string;
}

/** Defaults of `vigil serve`, shared with `vigil demo`. */
export const SERVE_DEFAULTS = {
  rules: 'builtin',
  listen: '127.0.0.1:8080',
  bodyLimit: 16 << 20,
  maxRecordBytes: DEFAULT_LIMITS.maxRecordBytes,
  maxEventLoopDelay: 1000,
  maxHeapBytes: 0,
  logLevel: 'info',
} as const;

export function register(program: Command): void {
  program
    .command('serve')
    .description('Run Vigil: receivers, live sources, detection, alerting, the web UI and its API on one port')
    .option('--listen <host:port>', 'address to listen on', SERVE_DEFAULTS.listen)
    .addOption(dataDirOption())
    .option('--body-limit <bytes>', 'largest request body; larger ones get 413', positiveInteger('--body-limit'), SERVE_DEFAULTS.bodyLimit)
    .option('--max-record-bytes <n>', 'quarantine records larger than this', positiveInteger('--max-record-bytes'), SERVE_DEFAULTS.maxRecordBytes)
    .option('--max-event-loop-delay <ms>', 'answer ingest requests 429 while the event loop lags more than this', positiveInteger('--max-event-loop-delay'), SERVE_DEFAULTS.maxEventLoopDelay)
    .option('--max-heap-bytes <n>', 'answer ingest requests 429 while the heap is larger than this (0: no limit)', Number, SERVE_DEFAULTS.maxHeapBytes)
    .option('--log-level <level>', 'server log level (pino)', SERVE_DEFAULTS.logLevel)
    .option('--rules <builtin|path|none>', 'detection rules run on what arrives; alerts land in vigil alerts', SERVE_DEFAULTS.rules)
    .addOption(witnessOption())
    .addOption(signingKeyOption())
    .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM; with --tls-key); session cookies are then Secure')
    .option('--tls-key <file>', 'private key (PEM) of --tls-cert')
    .option('--metrics-public', 'serve /metrics without a token (default: a viewer token is needed)', false)
    .option('--audit-policy <file>', "the cluster's audit policy: the Posture and Rules pages show which rules it lets fire")
    .option('--config <file>', 'YAML config: live sources to follow (sources:, see src/config/README.md) and alerting (alerting:, see README "Alerting"); check it with vigil config check')
    .option('--bus <url>', 'scale-out: receivers publish to NATS JetStream (nats://host:4222) for vigil worker to store and detect; nothing is stored or detected here')
    .option('--store <url>', "scale-out, with --bus: the workers' store (clickhouse://host:8123/db); the API and the UI read events and alerts from it, and the data dir keeps only tokens, sessions and Vigil's own actions")
    .option('--demo', 'start on an empty temporary data dir, replay the bundled demo cluster through the receiver and print a login token', false)
    .addHelpText(
      'after',
      `
Open the printed URL in a browser and log in with a viewer, responder or admin token.
On first start an admin token is created and printed once. Create a token for each cluster's
apiserver and point its audit webhook kubeconfig at the receiver (see deploy/):
  vigil tokens create --name prod-apiserver --role ingest --cluster prod
  server: https://vigil.example:8080/api/v1/ingest/k8s-audit

Scale-out: run any number of API servers beside vigil worker, all on the same bus and store:
  vigil serve --bus nats://127.0.0.1:4222 --store clickhouse://127.0.0.1:8123/vigil
Events, alerts and rule hit counts come from the store; acknowledging and resolving are recorded in
this server's ledger and shared through the store; the data dir keeps only tokens, sessions and
Vigil's own actions. Its integrity page points at vigil verify --store for the workers' ledgers.`,
    )
    .action(async (options: ServeOptions) => {
      await serve(options);
    });
}

export async function serve(given: ServeOptions): Promise<void> {
  const options = given.demo ? demoOptions(given) : given;
  const { host, port } = parseListen(options.listen);
  const tls = tlsFiles(options);
  const sections = configSectionsOf(options.config);
  const liveSourceConfigs = liveSourcesOf(sections, options.config);
  const alertingConfig = alertingOf(sections, options.config);
  const sharedUrl = sharedStoreUrl(options);
  const store = SqliteStore.open(options.dataDir);
  // The scale-out clients load only when asked for: every other command would pay for their import.
  const bus = options.bus === undefined ? undefined : await (await import('../../bus/receiver-bus.js')).openReceiverBus(options.bus, { info: (m) => app.log.info(m), warn: (m) => app.log.warn(m) });
  const shared: SharedStoresHandle | undefined = sharedUrl && options.bus ? await (await import('../../server/shared-stores.js')).openSharedStores(sharedUrl, options.bus) : undefined;
  const tokens = new TokenStore(store.db);
  const firstToken = tokens.count() === 0 ? tokens.create('initial-admin', 'admin').secret : undefined;
  // Signs a checkpoint each second while records arrive, and a last one on shutdown.
  const ledger = await LedgerSession.open(store, { dataDir: options.dataDir, keyFile: options.signingKey, witnessDirs: options.witness ?? [] }, (message) => app.log.error(message));
  // Alerts the detection stage opens or grows are evaluated for notification (vigil ingest notifies nobody).
  // Scale-out: statuses decided here are shared through the store, whose alerts this server mirrors for notification.
  const sharedStatuses = shared && new SharedStatusRecorder(new LedgerAdminRecorder(ledger));
  const alerting = await startAlerting(store.db, sharedStatuses ?? new LedgerAdminRecorder(ledger), alertingConfig, { warn: (details, message) => app.log.warn(details, message), error: (details, message) => app.log.error(details, message) }, shared?.alerts);
  const mirror = shared && sharedStatuses && new SharedAlertMirror(shared.alerts, alerting.state, alerting.alertStore, sharedStatuses);
  const detection = options.rules === 'none' || bus ? undefined : new DetectionStage(loadRuleSet(options.rules), alerting.alertStore, store.db);
  const hooks = { onStored: (events: readonly VigilEvent[]) => detection?.process(events) };
  const app = buildServer({
    ...options,
    store,
    tokens,
    hooks,
    ledger,
    tls,
    alerting: mirror ? mirror.operations(alerting.service) : alerting.service,
    receiverStore: bus?.store,
    shared,
    readiness: shared?.readiness,
  });
  for (const warning of alerting.warnings) app.log.warn(warning);
  if (bus && !shared) app.log.warn('serve --bus without --store: the API and the UI read this data dir, which holds none of the events and alerts the workers store; give --store clickhouse://… to show them');
  mirror?.start(ALERT_MIRROR_INTERVAL_MS, (error) => app.log.warn({ err: error }, 'alerts: reading the shared alert store failed; retrying'));
  const live = detection && startLiveDetection(detection, { tickMs: 5000, saveMs: 30_000 }, (error) => app.log.error({ err: error }, 'detection failed'));
  ledger.startTicker();
  const retention = startRetentionSchedule(store, ledger, options.config, { info: (m) => app.log.info(m), error: (m) => app.log.error(m) });
  const ingested: IngestSummary = { accepted: 0, duplicates: 0, quarantined: 0 };
  let liveSources: RunningSources | undefined;
  const shutdown = async () => {
    await liveSources?.stop();
    await app.close();
    await bus?.close();
    live?.stop();
    await mirror?.stop();
    await alerting.stop();
    await shared?.close();
    await retention?.stop();
    await ledger.finish();
    await store.close();
    // The demo's data dir is a throw-away; a real one is never removed.
    if (options.demo) rmSync(options.dataDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
  const address = await app.listen({ host, port });
  // Live sources count into source health as the receivers do, so a silent one raises its absence alert.
  const sourceHealth = new SourceHealthRecorder(new SqliteSourceHealth(store.db));
  const liveHooks = withSourceHealth(sourceHealth, hooks);
  liveSources = startLiveSources(liveSourceConfigs, { dataDir: options.dataDir, log: app.log, health: sourceHealth }, (batch) => addBatch(batch, bus?.store ?? store, ingested, liveHooks));
  const where = shared ? `events and alerts in ${shared.location}, tokens and Vigil's own actions in ${options.dataDir}` : `data in ${options.dataDir}`;
  process.stdout.write(`vigil serving on ${address} (${where})\n${loginHint(address, firstToken)}`);
  if (options.demo) {
    // The live clock must lead the replayed events, so that the replay is not mistaken for silent streams.
    await detection?.tick(Date.now());
    await replayDemo(app, tokens, { batchSize: 250, pauseMs: 100 }).then(
      (replay) => process.stdout.write(`Replayed the demo cluster "${DEMO_CLUSTER}": ${replay.accepted} of ${replay.events} audit events ${bus ? 'on the bus for the workers' : 'stored'}; its alerts are on the Alerts page.\n`),
      (error: Error) => process.stderr.write(`vigil: the demo replay stopped: ${error.message}; the server keeps running with what arrived\n`),
    );
  }
  await new Promise<void>((resolve) => app.server.once('close', resolve));
}

/** How often the shared alert store is read for alerts to notify about and statuses set elsewhere. */
const ALERT_MIRROR_INTERVAL_MS = 2000;

/** The --store URL when it may be used: only a ClickHouse store, only beside --bus. */
function sharedStoreUrl(options: ServeOptions): string | undefined {
  if (options.store === undefined) return undefined;
  if (options.bus === undefined) {
    throw new UsageError(`--store ${redact(options.store)} goes with --bus: only workers write that store, fed from the bus; without --bus, serve keeps its own store in --data-dir`);
  }
  let kind: string;
  try {
    kind = parseStoreUrl(options.store).kind;
  } catch (error) {
    throw new UsageError(`--store: ${(error as Error).message}`);
  }
  if (kind !== 'clickhouse') throw new UsageError(`--store takes the workers' ClickHouse store (clickhouse://host:8123/database), got "${redact(options.store)}"; serve's own data goes to --data-dir`);
  return options.store;
}

/** The bundled audit policy stands in for the demo cluster's, so the Posture page has a coverage matrix. */
function demoOptions(options: ServeOptions): ServeOptions {
  return { ...options, dataDir: mkdtempSync(join(tmpdir(), 'vigil-demo-')), auditPolicy: options.auditPolicy ?? packagePath('deploy', 'audit', 'audit-policy.yaml') };
}

/** The config file split into its `alerting:` section and the rest (the sources' loader gets the rest). */
function configSectionsOf(configFile: string | undefined): ConfigSections | undefined {
  if (configFile === undefined) return undefined;
  try {
    return readConfigSections(configFile);
  } catch (error) {
    throw error instanceof AlertingConfigError ? new UsageError(error.problems.join('\n')) : error;
  }
}

function liveSourcesOf(sections: ConfigSections | undefined, configFile: string | undefined): LiveSourceConfig[] {
  if (sections === undefined || configFile === undefined) return [];
  try {
    return parseServeConfig(sections.rest, configFile).sources;
  } catch (error) {
    throw error instanceof ConfigError ? new UsageError(error.message) : error;
  }
}

function alertingOf(sections: ConfigSections | undefined, configFile: string | undefined): AlertingConfig {
  try {
    return alertingConfigOf(sections, configFile ?? '');
  } catch (error) {
    throw error instanceof AlertingConfigError ? new UsageError(error.message) : error;
  }
}

function tlsFiles(options: ServeOptions): { cert: Buffer; key: Buffer } | undefined {
  if (options.tlsCert === undefined && options.tlsKey === undefined) return undefined;
  if (options.tlsCert === undefined || options.tlsKey === undefined) throw new UsageError('--tls-cert and --tls-key go together: give both PEM files, or neither for plain HTTP');
  const read = (flag: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new UsageError(`${flag} ${path}: ${(error as Error).message}`);
    }
  };
  return { cert: read('--tls-cert', options.tlsCert), key: read('--tls-key', options.tlsKey) };
}

function loginHint(address: string, firstToken: string | undefined): string {
  if (firstToken === undefined) return `Open ${address} and log in with a viewer, responder or admin token (vigil tokens create).\n`;
  return `Open ${address} and log in with the first admin token (shown only now; keep it safe):\n  ${firstToken}\n`;
}

function parseListen(listen: string): { host: string; port: number } {
  const match = /^(.*):(\d+)$/.exec(listen);
  if (!match) throw new UsageError(`--listen must be host:port, e.g. 127.0.0.1:8080; got "${listen}"`);
  return { host: match[1].replace(/^\[|\]$/g, '') || '0.0.0.0', port: Number(match[2]) };
}
