import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { LedgerAdminRecorder } from '../../src/alert/admin-recorder.js';
import { type AlertingState, openAlertingState } from '../../src/alert/alerting-state.js';
import { type AlertingConfig, parseAlertingConfig } from '../../src/alert/config.js';
import { Dispatcher } from '../../src/alert/dispatcher.js';
import { AlertNotifier } from '../../src/alert/notifier.js';
import { NotifyingAlertStore } from '../../src/alert/notifying-alert-store.js';
import { AlertService } from '../../src/alert/service.js';
import type { AlertJson } from '../../src/detect/alert.js';
import type { Severity } from '../../src/detect/rule-schema.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempDir } from '../helpers/cli.js';

/** Polls until `check` returns a value (not undefined/false), or fails after `timeoutMs` naming `what`. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: unknown;
  at: number;
}

/**
 * A local HTTP receiver that records every request. `answer` decides the status (default 200);
 * `down()` closes the port (connections are refused) and `up()` listens on the same port again.
 */
export class Receiver {
  readonly requests: Received[] = [];
  answer: (request: Received) => number = () => 200;
  private server?: Server;
  port = 0;

  static async start(port = 0): Promise<Receiver> {
    const receiver = new Receiver();
    receiver.port = port;
    await receiver.up();
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {
          json = undefined;
        }
        const received: Received = { method: request.method ?? '', path: request.url ?? '', headers: request.headers, body, json, at: Date.now() };
        this.requests.push(received);
        const status = this.answer(received);
        response.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'failed');
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let alertCounter = 0;

/** An alert as the detection stage stores it. */
export function alertJson(overrides: { id?: string; severity?: Severity; rule?: string; user?: string; namespace?: string; count?: number; lastSeen?: string } = {}): AlertJson {
  alertCounter++;
  const rule = overrides.rule ?? 'k8s-secret-deleted';
  return {
    id: overrides.id ?? `alert-${process.pid}-${alertCounter}`,
    rule: { id: rule, title: `Rule ${rule}`, severity: overrides.severity ?? 'high', format: 'vigil' },
    techniques: ['T1485'],
    entity: { cluster: 'prod', user: overrides.user ?? 'mallory@example.com', namespace: overrides.namespace ?? 'payments' },
    count: overrides.count ?? 1,
    firstSeen: '2026-03-02T10:00:00.000Z',
    lastSeen: overrides.lastSeen ?? '2026-03-02T10:00:00.000Z',
    summary: `${rule} by mallory`,
    events: ['event-1'],
  };
}

/** The whole alerting side over a real database in a temp dir, driven with explicit time. */
export interface Harness {
  store: SqliteStore;
  state: AlertingState;
  config: AlertingConfig;
  notifier: AlertNotifier;
  dispatcher: Dispatcher;
  service: AlertService;
  /** What the detection stage calls in `vigil serve`. */
  detected(...alerts: AlertJson[]): Promise<void>;
  close(): Promise<void>;
}

export async function harness(alertingYaml: string, env: NodeJS.ProcessEnv = {}, dataDir = tempDir('vigil-alert-')): Promise<Harness> {
  const store = SqliteStore.open(dataDir);
  const recorder = LedgerAdminRecorder.forStore(store);
  const state = openAlertingState(store.db, recorder);
  const config = parseAlertingConfig(parseYaml(alertingYaml), env);
  const notifier = new AlertNotifier(state, config);
  const dispatcher = new Dispatcher(state.outbox, config.receivers, { pollMs: 50 });
  const service = new AlertService(state, recorder, { config: () => config });
  const alerts = new NotifyingAlertStore(state.alerts, state.inbox, () => undefined);
  return {
    store,
    state,
    config,
    notifier,
    dispatcher,
    service,
    detected: (...list) => alerts.upsertAlerts(list),
    async close() {
      await dispatcher.stop(1000);
      await store.close();
    },
  };
}

/**
 * Runs the dispatcher until the outbox has nothing pending or in flight (the receivers must be
 * up). `now` is the harness's clock when a test drives time explicitly.
 */
export async function drain(h: Harness, now?: () => number): Promise<void> {
  await waitFor('the outbox to drain', async () => {
    h.dispatcher.runOnce(now?.());
    await h.dispatcher.idle();
    const counts = h.state.outbox.counts();
    return counts.every((count) => count.status === 'delivered' || count.status === 'dead') || undefined;
  });
}

export interface RunningAlertmanager {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export const ALERTMANAGER_BIN = '/usr/bin/prometheus-alertmanager';

/** A real Prometheus Alertmanager on a loopback port with its own config and storage; no clustering. */
export async function startAlertmanager(options: { webhookUrl?: string; port?: number } = {}): Promise<RunningAlertmanager> {
  const { webhookUrl } = options;
  if (!existsSync(ALERTMANAGER_BIN)) throw new Error(`${ALERTMANAGER_BIN} is missing: apt-get install prometheus-alertmanager (.ci/run does)`);
  const dir = tempDir('vigil-am-');
  const receiver = webhookUrl ? `  - name: hook\n    webhook_configs:\n      - url: ${webhookUrl}\n        send_resolved: true\n` : '  - name: hook\n';
  writeFileSync(join(dir, 'alertmanager.yml'), `route:\n  receiver: hook\n  group_wait: 1s\n  group_interval: 1s\n  repeat_interval: 1h\nreceivers:\n${receiver}`);
  const port = options.port ?? (await freePort());
  const child = spawn(
    ALERTMANAGER_BIN,
    [`--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`alertmanager to be ready (output so far: ${output})`, async () => {
    if (child.exitCode !== null) throw new Error(`alertmanager exited with ${child.exitCode}:\n${output}`);
    try {
      return (await fetch(`${url}/-/ready`)).ok || undefined;
    } catch {
      return undefined;
    }
  });
  return {
    url,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** A rule that fires on every deleted Secret: one audit event, one alert. */
export const RULE = `rules:
  - id: test-secret-deleted
    title: Secret deleted
    description: Someone deleted a Secret.
    severity: high
    techniques: [T1485]
    runbook: Ask the owner.
    source: k8s.audit
    match: {verb: delete, resource: secrets}
    tests:
      positive:
        - name: a delete
          events:
            - {kind: Event, auditID: t1, stage: ResponseComplete, verb: delete, user: {username: bob@example.com},
               objectRef: {resource: secrets, namespace: prod, name: db}, requestReceivedTimestamp: "2026-03-02T10:00:00Z"}
      negative:
        - name: a read
          events:
            - {kind: Event, auditID: t2, stage: ResponseComplete, verb: get, user: {username: bob@example.com},
               objectRef: {resource: secrets, namespace: prod, name: db}, requestReceivedTimestamp: "2026-03-02T10:00:00Z"}
`;

/** An audit event that `RULE` fires on. */
export function auditEvent(): Record<string, unknown> {
  const now = new Date().toISOString();
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: randomUUID(),
    stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/prod/secrets/db',
    verb: 'delete',
    user: { username: 'mallory@example.com', groups: ['system:authenticated'] },
    sourceIPs: ['203.0.113.7'],
    objectRef: { resource: 'secrets', namespace: 'prod', name: 'db', apiVersion: 'v1' },
    responseStatus: { code: 200 },
    requestReceivedTimestamp: now,
    stageTimestamp: now,
  };
}
