import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, connect } from '@nats-io/transport-node';

export interface BusLog {
  info(message: string): void;
  warn(message: string): void;
}

/** One connection to NATS with its JetStream handles, and whether it is up right now. */
export interface BusConnection {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  /** False while the client is reconnecting: publishers refuse at once instead of waiting out a timeout. */
  connected(): boolean;
  close(): Promise<void>;
}

const DRAIN_TIMEOUT_MS = 5000;

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * Connects to `nats://host:port` (user:password in the URL are passed on, never logged) and keeps
 * reconnecting for as long as the process runs: a NATS restart is an outage, not the end.
 */
export async function connectBus(url: string, name: string, log: BusLog): Promise<BusConnection> {
  const target = parseBusUrl(url);
  let nc: NatsConnection;
  try {
    nc = await connect({ servers: target.server, user: target.user, pass: target.pass, name, maxReconnectAttempts: -1, reconnectTimeWait: 500 });
  } catch (error) {
    throw new Error(`cannot connect to the NATS bus at ${target.server}: ${(error as Error).message}; is nats-server running with JetStream (-js)?`);
  }
  let up = true;
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') {
        up = false;
        log.warn(`lost the NATS bus at ${target.server}; reconnecting`);
      } else if (status.type === 'reconnect') {
        up = true;
        log.info(`reconnected to the NATS bus at ${target.server}`);
      }
    }
  })();
  return {
    nc,
    js: jetstream(nc),
    jsm: await jetstreamManager(nc),
    connected: () => up && !nc.isClosed(),
    close: async () => {
      if (nc.isClosed()) return;
      // Draining needs the server; while it is away, waiting would never end.
      if (!up) return nc.close();
      await Promise.race([nc.drain(), delay(DRAIN_TIMEOUT_MS)]).catch(() => undefined);
      if (!nc.isClosed()) await nc.close();
    },
  };
}

/** The server address without credentials (safe to log), and the credentials apart. */
export function parseBusUrl(url: string): { server: string; user?: string; pass?: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`--bus must be a NATS URL such as nats://127.0.0.1:4222, got "${url}"`);
  }
  if (parsed.protocol !== 'nats:' && parsed.protocol !== 'tls:') throw new Error(`--bus must be a nats:// (or tls://) URL, got "${parsed.protocol}//…"`);
  const user = parsed.username ? decodeURIComponent(parsed.username) : undefined;
  const pass = parsed.password ? decodeURIComponent(parsed.password) : undefined;
  return { server: `${parsed.protocol}//${parsed.host}`, user, pass };
}
