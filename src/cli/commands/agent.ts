import type { Command } from 'commander';
import pino from 'pino';
import { readConfigSections } from '../../alert/config-file.js';
import { ConfigError, parseServeConfig } from '../../config/serve-config.js';
import type { VigilEvent } from '../../model/event.js';
import { RECORDS_PATH } from '../../server/routes/records-receiver.js';
import { startLiveSources } from '../../sources/live/from-config.js';
import type { ReadBatch } from '../../sources/read.js';
import { UsageError } from '../exit.js';
import { dataDirOption } from '../options.js';

interface AgentOptions {
  server: string;
  token?: string;
  config: string;
  dataDir: string;
}

export function register(program: Command): void {
  program
    .command('agent')
    .description("Follow a node's logs (the live sources of a config file) and send them to a vigil serve")
    .requiredOption('--server <url>', 'the vigil serve to send to, e.g. https://vigil.vigil.svc:8080')
    .option('--token <token>', 'an ingest token (vigil tokens create --role ingest); default $VIGIL_TOKEN')
    .requiredOption('--config <file>', 'a config file whose sources: the agent follows (src/config/README.md)')
    .addOption(dataDirOption().default('./vigil-agent'))
    .addHelpText(
      'after',
      `
The agent keeps only its read positions (under --data-dir); records go to the server, which
answers once they are stored, and only then does the agent move on. A server that is down is
retried until it comes back; nothing is skipped.
Example (the DaemonSet in deploy/ runs this):
  VIGIL_TOKEN=vgl_… vigil agent --server https://vigil.vigil.svc:8080 --config /etc/vigil/agent.yaml --data-dir /var/lib/vigil-agent`,
    )
    .action(async (options: AgentOptions) => {
      await runAgent(options);
    });
}

async function runAgent(options: AgentOptions): Promise<void> {
  const token = options.token ?? process.env.VIGIL_TOKEN;
  if (!token) throw new UsageError('agent needs an ingest token: --token or VIGIL_TOKEN');
  const server = new URL(options.server);
  const configs = sourcesOf(options.config);
  if (configs.length === 0) throw new UsageError(`${options.config} names no sources: (see src/config/README.md)`);
  const log = pino({ name: 'vigil-agent' });
  const running = startLiveSources(configs, { dataDir: options.dataDir, log: { info: (m) => log.info(m), warn: (m) => log.warn(m) } }, (batch) =>
    send(batch, server, token, log),
  );
  log.info(`sending to ${server.origin}`);
  await new Promise<void>((resolve) => {
    const stop = () => void running.stop().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

function sourcesOf(configFile: string) {
  try {
    return parseServeConfig(readConfigSections(configFile).rest, configFile).sources;
  } catch (error) {
    throw error instanceof ConfigError ? new UsageError(error.message) : error;
  }
}

/** Sends a batch, one request per cluster; throws unless the server stored it, so the source retries. */
async function send(batch: ReadBatch, server: URL, token: string, log: pino.Logger): Promise<void> {
  for (const item of batch.quarantined) log.warn({ position: item.position, reason: item.reason }, 'record not readable; not sent');
  for (const [cluster, events] of byCluster(batch.events)) {
    const body = events.map((event) => JSON.stringify({ source: event.source, record: event.record })).join('\n');
    const url = new URL(`${RECORDS_PATH}/${encodeURIComponent(cluster)}`, server);
    const response = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' }, body });
    if (!response.ok) throw new Error(`${url.origin} answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
  }
}

function byCluster(events: readonly VigilEvent[]): Map<string, VigilEvent[]> {
  const groups = new Map<string, VigilEvent[]>();
  for (const event of events) {
    const group = groups.get(event.cluster);
    if (group) group.push(event);
    else groups.set(event.cluster, [event]);
  }
  return groups;
}
