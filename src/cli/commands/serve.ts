import type { Command } from 'commander';
import { loadRuleSet } from '../../detect/loader.js';
import { DetectionStage } from '../../ingest/detection-stage.js';
import { startLiveDetection } from '../../ingest/live-detection.js';
import type { VigilEvent } from '../../model/event.js';
import { buildServer } from '../../server/app.js';
import { TokenStore } from '../../server/auth/token-store.js';
import { DEFAULT_LIMITS } from '../../sources/records.js';
import { SqliteAlertStore } from '../../store/sqlite/alert-store.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { UsageError } from '../exit.js';
import { dataDirOption, positiveInteger } from '../options.js';

export interface ServeOptions {
  rules: string;
  listen: string;
  dataDir: string;
  bodyLimit: number;
  maxRecordBytes: number;
  maxEventLoopDelay: number;
  maxHeapBytes: number;
  logLevel: string;
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
    .description('Run the receivers (kube-apiserver audit webhook) and health probes on one port')
    .option('--listen <host:port>', 'address to listen on', SERVE_DEFAULTS.listen)
    .addOption(dataDirOption())
    .option('--body-limit <bytes>', 'largest request body; larger ones get 413', positiveInteger('--body-limit'), SERVE_DEFAULTS.bodyLimit)
    .option('--max-record-bytes <n>', 'quarantine records larger than this', positiveInteger('--max-record-bytes'), SERVE_DEFAULTS.maxRecordBytes)
    .option('--max-event-loop-delay <ms>', 'answer ingest requests 429 while the event loop lags more than this', positiveInteger('--max-event-loop-delay'), SERVE_DEFAULTS.maxEventLoopDelay)
    .option('--max-heap-bytes <n>', 'answer ingest requests 429 while the heap is larger than this (0: no limit)', Number, SERVE_DEFAULTS.maxHeapBytes)
    .option('--log-level <level>', 'server log level (pino)', SERVE_DEFAULTS.logLevel)
    .option('--rules <builtin|path|none>', 'detection rules run on what arrives; alerts land in vigil alerts', SERVE_DEFAULTS.rules)
    .addHelpText(
      'after',
      `
On first start an admin token is created and printed once. Create a token for each cluster's
apiserver and point its audit webhook kubeconfig at the receiver (see deploy/):
  vigil tokens create --name prod-apiserver --role ingest --cluster prod
  server: https://vigil.example:8080/api/v1/ingest/k8s-audit`,
    )
    .action(async (options: ServeOptions) => {
      await serve(options);
    });
}

export async function serve(options: ServeOptions): Promise<void> {
  const { host, port } = parseListen(options.listen);
  const store = SqliteStore.open(options.dataDir);
  const tokens = new TokenStore(store.db);
  if (tokens.count() === 0) {
    const { secret } = tokens.create('initial-admin', 'admin');
    process.stdout.write(`Created the first admin token (shown only now; keep it safe):\n  ${secret}\n`);
  }
  const detection = options.rules === 'none' ? undefined : new DetectionStage(loadRuleSet(options.rules), new SqliteAlertStore(store.db), store.db);
  const hooks = { onStored: (events: readonly VigilEvent[]) => detection?.process(events) };
  const app = buildServer({ store, tokens, hooks, ...options });
  const live = detection && startLiveDetection(detection, { tickMs: 5000, saveMs: 30_000 }, (error) => app.log.error({ err: error }, 'detection failed'));
  const shutdown = async () => {
    await app.close();
    live?.stop();
    await store.close();
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
  const address = await app.listen({ host, port });
  process.stdout.write(`vigil serving on ${address} (data in ${options.dataDir})\n`);
  await new Promise<void>((resolve) => app.server.once('close', resolve));
}

function parseListen(listen: string): { host: string; port: number } {
  const match = /^(.*):(\d+)$/.exec(listen);
  if (!match) throw new UsageError(`--listen must be host:port, e.g. 127.0.0.1:8080; got "${listen}"`);
  return { host: match[1].replace(/^\[|\]$/g, '') || '0.0.0.0', port: Number(match[2]) };
}
