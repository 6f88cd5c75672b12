import { readFile } from 'node:fs/promises';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { packagePath } from '../package-root.js';
import type { TokenStore } from './auth/token-store.js';

/** The bundled demo cluster: a day of a four-node cluster's audit log with attacks mixed in (demo/README.md). */
export const DEMO_LOG = packagePath('demo', 'demo-cluster-audit.log.gz');
export const DEMO_CLUSTER = 'demo';

/** Audit event fields that carry the event's time. */
const TIME_FIELDS = ['requestReceivedTimestamp', 'stageTimestamp'] as const;

export interface ReplayOptions {
  /** Events per webhook request. */
  batchSize: number;
  /** Pause between requests, so the UI shows the day arriving. */
  pauseMs: number;
  now?: number;
}

export interface ReplaySummary {
  events: number;
  accepted: number;
  quarantined: number;
}

/**
 * `vigil serve --demo`: sends the demo cluster's day through the server's own audit webhook, as
 * the cluster's kube-apiserver would (EventList batches, an ingest token bound to the cluster),
 * so it passes the whole live pipeline: auth, receiver, ledger, detection, metrics. The day is
 * moved to end now, so "the last 24 hours" shows it and the live clock agrees with event times.
 */
export async function replayDemo(app: FastifyInstance, tokens: TokenStore, options: ReplayOptions): Promise<ReplaySummary> {
  const lines = (await promisify(gunzip)(await readFile(DEMO_LOG))).toString('utf8').trimEnd().split('\n');
  const events = shiftToEndAt(lines.map((line) => JSON.parse(line) as Record<string, unknown>), options.now ?? Date.now());
  const { secret } = tokens.create('demo-replay', 'ingest', DEMO_CLUSTER);
  const summary: ReplaySummary = { events: events.length, accepted: 0, quarantined: 0 };
  for (let start = 0; start < events.length; start += options.batchSize) {
    const payload = JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items: events.slice(start, start + options.batchSize) });
    const answer = await post(app, secret, payload);
    summary.accepted += answer.accepted;
    summary.quarantined += answer.quarantined;
    if (options.pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
  }
  return summary;
}

/** Attempts per batch: a busy receiver answers 429 and the sender retries, as the apiserver's webhook does. */
const ATTEMPTS = 30;

async function post(app: FastifyInstance, secret: string, payload: string): Promise<{ accepted: number; quarantined: number }> {
  for (let attempt = 1; ; attempt++) {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/ingest/k8s-audit',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      payload,
    });
    if (response.statusCode === 200) return response.json<{ accepted: number; quarantined: number }>();
    if (response.statusCode !== 429 || attempt === ATTEMPTS) {
      throw new Error(`the demo replay's webhook request was answered ${response.statusCode} (attempt ${attempt}): ${response.body}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Moves every event by the same amount so that the latest one happens at `end`. */
function shiftToEndAt(events: Record<string, unknown>[], end: number): Record<string, unknown>[] {
  const latest = Math.max(...events.map((event) => timeOf(event.stageTimestamp ?? event.requestReceivedTimestamp)));
  const offset = Math.floor((end - latest) / 1000) * 1000;
  return events.map((event) => {
    const shifted = { ...event };
    for (const field of TIME_FIELDS) {
      if (typeof event[field] === 'string') shifted[field] = new Date(timeOf(event[field]) + offset).toISOString();
    }
    return shifted;
  });
}

function timeOf(value: unknown): number {
  const time = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) throw new Error(`a demo event has no readable time (${String(value)}); the bundled demo log is damaged`);
  return time;
}
