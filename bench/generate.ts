import { createWriteStream, realpathSync, renameSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { type TimedEvent, toAuditEvents } from './audit-event.js';
import { buildClusterWorld } from './cluster-world.js';
import { MinHeap } from './min-heap.js';
import { buildPopulation } from './population.js';
import { Random } from './random.js';

/**
 * Deterministic generator of real-shaped Kubernetes audit events (`audit.k8s.io/v1` Event JSON
 * lines) for benchmarks: the same options give byte-identical output on every machine.
 *
 *   node dist/bench/generate.js --events 500000 --out audit.jsonl [--seed 1] [--start 2025-06-02T00:00:00Z] [--span-hours 48]
 */

/** Bump when the output for a given seed changes, so cached files are regenerated. */
export const GENERATOR_VERSION = 1;

export interface GenerateOptions {
  events: number;
  seed?: number;
  /** Time of the first request (RFC 3339); a Monday midnight by default, so office hours show. */
  start?: string;
  /** Hours the requests are spread over. */
  spanHours?: number;
}

export const GENERATE_DEFAULTS = { seed: 1, start: '2025-06-02T00:00:00Z', spanHours: 48 } as const;

/**
 * Yields exactly `options.events` audit event lines (without newline) in the order the apiserver
 * writes them. A watch or exec yields ResponseStarted when it opens and ResponseComplete when it
 * ends, minutes later in the stream (same auditID, different stage); memory stays bounded by the
 * number of streams open at once.
 */
export function* auditEventLines(options: GenerateOptions): Generator<string> {
  const { events, seed, start, spanHours } = { ...GENERATE_DEFAULTS, ...options };
  if (!Number.isInteger(events) || events < 0) throw new Error(`events must be a whole number ≥ 0, got ${events}`);
  const startMillis = Date.parse(start);
  if (Number.isNaN(startMillis)) throw new Error(`start must be an RFC 3339 time, got "${start}"`);
  if (!(spanHours > 0)) throw new Error(`spanHours must be positive, got ${spanHours}`);

  const random = new Random(seed);
  const world = buildClusterWorld(random);
  const population = buildPopulation(world, random);
  const streamsEnding = new MinHeap<TimedEvent>((timed) => timed.atMicros);
  const meanGapMicros = (spanHours * 3_600_000_000) / Math.max(events, 1);
  let clock = startMillis * 1000;
  let emitted = 0;
  while (emitted < events) {
    clock += random.exponential(meanGapMicros);
    const now = Math.round(clock);
    for (let due = streamsEnding.peek(); due !== undefined && due.atMicros <= now && emitted < events; due = streamsEnding.peek()) {
      streamsEnding.pop();
      yield JSON.stringify(due.event);
      emitted++;
    }
    if (emitted >= events) break;
    const actor = population.pick(random, now);
    const request = actor.requests.draw(random)(random);
    const [first, later] = toAuditEvents(random, actor.identity(random), request, now);
    yield JSON.stringify(first.event);
    emitted++;
    if (later !== undefined) streamsEnding.push(later);
  }
}

export interface GenerateSummary {
  events: number;
  bytes: number;
}

const CHUNK_CHARS = 1 << 20;

/** Writes the events as JSON lines to `out` ("-" for stdout); a file appears only when complete. */
export async function writeAuditEvents(out: string, options: GenerateOptions): Promise<GenerateSummary> {
  const partial = out === '-' ? undefined : `${out}.partial-${process.pid}`;
  const stream: Writable = partial === undefined ? process.stdout : createWriteStream(partial);
  try {
    const summary = await writeLines(stream, auditEventLines(options));
    if (partial !== undefined) {
      stream.end();
      await finished(stream);
      renameSync(partial, out);
    }
    return summary;
  } catch (error) {
    if (partial !== undefined) {
      stream.destroy();
      rmSync(partial, { force: true });
    }
    throw new Error(`could not write generated audit events to ${out}: ${(error as Error).message}`, { cause: error });
  }
}

async function writeLines(stream: Writable, lines: Iterable<string>): Promise<GenerateSummary> {
  let events = 0;
  let bytes = 0;
  let chunk = '';
  const flush = async () => {
    bytes += Buffer.byteLength(chunk);
    if (!stream.write(chunk)) await once(stream, 'drain');
    chunk = '';
  };
  for (const line of lines) {
    chunk += `${line}\n`;
    events++;
    if (chunk.length >= CHUNK_CHARS) await flush();
  }
  if (chunk.length > 0) await flush();
  return { events, bytes };
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      events: { type: 'string', default: '500000' },
      out: { type: 'string' },
      seed: { type: 'string', default: String(GENERATE_DEFAULTS.seed) },
      start: { type: 'string', default: GENERATE_DEFAULTS.start },
      'span-hours': { type: 'string', default: String(GENERATE_DEFAULTS.spanHours) },
    },
  });
  if (values.out === undefined) {
    process.stderr.write('usage: node dist/bench/generate.js --events N --out FILE|- [--seed N] [--start RFC3339] [--span-hours H]\n');
    return 2;
  }
  const started = performance.now();
  const summary = await writeAuditEvents(values.out, {
    events: wholeNumber('--events', values.events),
    seed: wholeNumber('--seed', values.seed),
    start: values.start,
    spanHours: Number(values['span-hours']),
  });
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write(
    `wrote ${summary.events} audit events, ${summary.bytes} bytes (${(summary.bytes / Math.max(summary.events, 1)).toFixed(0)} B/event) to ${values.out} in ${seconds.toFixed(1)} s\n`,
  );
  return 0;
}

function wholeNumber(flag: string, text: string | undefined): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${flag} must be a whole number, got "${text}"`);
  return value;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`generate: ${(error as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
