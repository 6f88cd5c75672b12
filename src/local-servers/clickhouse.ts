import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from './free-ports.js';

const SERVER_BIN = process.env.CLICKHOUSE_SERVER_BIN ?? '/usr/sbin/clickhouse-server';
const STARTUP_TIMEOUT_MS = 90_000;

export interface RunningClickHouse {
  /** Store URL of the `default` database: `clickhouse://127.0.0.1:PORT/default`. Swap the last segment for a fresh database. */
  url: string;
  httpPort: number;
  /** The server's own directory (data, logs, config), removed by stop(). */
  dir: string;
  /** Graceful shutdown, then the directory is removed. Safe to call twice. */
  stop(): Promise<void>;
  /** SIGKILL now, as when the machine dies: the data stays for restart(). */
  kill(): void;
  /** Stops the server if it runs (SIGKILL), then starts it again on the same ports and data, and waits until it answers. */
  restart(): Promise<void>;
  /** A store URL for a database of this server (created by whoever opens it). */
  urlFor(database: string): string;
}

/**
 * Starts Debian's clickhouse-server with a minimal generated config on free loopback ports in a
 * throwaway directory and waits until `GET /ping` answers: for the tests, the benchmarks and the
 * scale-out demo, never for production. Startup takes seconds: tests share one server per file
 * (beforeAll/afterAll) and give each test its own database.
 */
export async function startClickHouse(): Promise<RunningClickHouse> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-clickhouse-'));
  const [httpPort, tcpPort, interserverPort] = await freePorts(3);
  writeConfig(dir, { httpPort, tcpPort, interserverPort });
  let child: ChildProcess | undefined;
  let stopped = false;
  // A test process that dies without afterAll must not leave a server running.
  const killOnExit = (): void => {
    child?.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const launch = async (): Promise<void> => {
    child = spawnServer(dir);
    await waitUntilReady(child, httpPort, dir);
  };
  const killChild = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGKILL');
    await exited;
  };
  try {
    await launch();
  } catch (error) {
    await killChild();
    process.removeListener('exit', killOnExit);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const url = `clickhouse://127.0.0.1:${httpPort}/default`;
  return {
    url,
    httpPort,
    dir,
    urlFor: (database) => `clickhouse://127.0.0.1:${httpPort}/${database}`,
    kill: () => {
      child?.kill('SIGKILL');
    },
    restart: async () => {
      if (stopped) throw new Error('restart() after stop(): the ClickHouse directory is gone; start a new server');
      await killChild();
      await launch();
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      const running = child;
      child = undefined;
      if (running && running.exitCode === null && running.signalCode === null) {
        const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
        running.kill('SIGTERM');
        // A server busy merging may take a while to stop; it owns nothing worth waiting for.
        const forced = setTimeout(() => running.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(forced);
      }
      process.removeListener('exit', killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface Ports {
  httpPort: number;
  tcpPort: number;
  interserverPort: number;
}

/** Only settings every ClickHouse from 18.16 to today reads the same way (the `<yandex>` root is still accepted). */
function writeConfig(dir: string, ports: Ports): void {
  for (const sub of ['data', 'tmp', 'user_files', 'format_schemas', 'log']) mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(
    join(dir, 'config.xml'),
    `<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>${dir}/log/server.log</log>
    <errorlog>${dir}/log/error.log</errorlog>
    <console>0</console>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${ports.httpPort}</http_port>
  <tcp_port>${ports.tcpPort}</tcp_port>
  <interserver_http_port>${ports.interserverPort}</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>268435456</mark_cache_size>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <max_concurrent_queries>50</max_concurrent_queries>
</yandex>
`,
  );
  writeFileSync(
    join(dir, 'users.xml'),
    `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas><default></default></quotas>
</yandex>
`,
  );
}

function spawnServer(dir: string): ChildProcess {
  // cwd is the throwaway dir: the server writes status files relative to it on some versions.
  return spawn(SERVER_BIN, [`--config-file=${join(dir, 'config.xml')}`], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

async function waitUntilReady(child: ChildProcess, httpPort: number, dir: string): Promise<void> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  let exit: string | undefined;
  child.once('exit', (code, signal) => {
    exit = `exited with ${signal ?? code}`;
  });
  child.once('error', (error) => {
    exit = `could not start ${SERVER_BIN}: ${error.message}`;
  });
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exit !== undefined) throw new Error(`clickhouse-server ${exit} before answering /ping\n${stderr}${errorLog(dir)}`);
    if (await pingOk(httpPort)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`clickhouse-server did not answer http://127.0.0.1:${httpPort}/ping within ${STARTUP_TIMEOUT_MS / 1000}s\n${stderr}${errorLog(dir)}`);
}

async function pingOk(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/ping`, { signal: AbortSignal.timeout(2_000) });
    return response.ok && (await response.text()).trim() === 'Ok.';
  } catch {
    return false;
  }
}

function errorLog(dir: string): string {
  try {
    return `\nerror.log (tail):\n${readFileSync(join(dir, 'log', 'error.log'), 'utf8').slice(-4000)}`;
  } catch {
    return '';
  }
}
