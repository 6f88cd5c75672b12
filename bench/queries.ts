import { runMeasured } from './measure.js';
import { failureText } from './throughput.js';
import type { VigilCli } from './vigil-cli.js';

/** The investigations DESIGN.md wants under 300 ms on 10M events. */
export const TYPICAL_QUERIES = [
  'verb=delete | stats count() by user.name',
  'user.name="alice@example.com" | head 50',
  'resource=secrets verb=get | stats count() by user.name, namespace',
  'code=403 | stats count() by user.name | sort -count() | head 10',
];

export interface Latency {
  name: string;
  status: 'ok' | 'failed' | 'skipped';
  reason?: string;
  runsMs: number[];
  medianMs?: number;
  minMs?: number;
  /** Median minus the median start-up time: roughly what the query itself costs. */
  queryOnlyMs?: number;
  rows?: number;
  peakRssMiB?: number;
}

/** Time of `vigil --help`: the process start-up every CLI query pays. */
export async function measureStartup(vigil: VigilCli, runs: number): Promise<Latency> {
  return timeRepeatedly('vigil --help (start-up)', vigil.argv('--help'), runs, () => undefined);
}

export async function measureQueries(vigil: VigilCli, dataDir: string, runs: number, startup: Latency): Promise<Latency[]> {
  const latencies: Latency[] = [];
  for (const query of TYPICAL_QUERIES) {
    const latency = await timeRepeatedly(query, vigil.argv('query', query, '-o', 'json', '--data-dir', dataDir), runs, rowsOf);
    if (latency.medianMs !== undefined && startup.medianMs !== undefined) latency.queryOnlyMs = latency.medianMs - startup.medianMs;
    latencies.push(latency);
  }
  return latencies;
}

async function timeRepeatedly(name: string, argv: string[], runs: number, count: (stdout: string) => number | undefined): Promise<Latency> {
  const latency: Latency = { name, status: 'ok', runsMs: [] };
  for (let i = 0; i < runs; i++) {
    const run = await runMeasured({ argv, stdout: 'capture', timeoutMs: 300_000 });
    if (run.exitCode !== 0 || run.timedOut) return { ...latency, status: 'failed', reason: run.timedOut ? 'timed out' : failureText(run) };
    latency.runsMs.push(run.wallSeconds * 1000);
    latency.rows = count(run.stdout);
    if (run.maxRssKiB !== undefined) latency.peakRssMiB = Math.max(latency.peakRssMiB ?? 0, run.maxRssKiB / 1024);
  }
  const sorted = [...latency.runsMs].sort((a, b) => a - b);
  return { ...latency, medianMs: sorted[Math.floor(sorted.length / 2)], minMs: sorted[0] };
}

/** Result rows in `-o json` output: a JSON array, or an object holding one. */
function rowsOf(stdout: string): number | undefined {
  try {
    const value = JSON.parse(stdout) as unknown;
    if (Array.isArray(value)) return value.length;
    const holder = value as Record<string, unknown>;
    const list = Object.values(holder).find(Array.isArray);
    return list === undefined ? undefined : (list as unknown[]).length;
  } catch {
    return undefined;
  }
}
