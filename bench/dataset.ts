import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { GENERATOR_VERSION, writeAuditEvents } from './generate.js';

export interface Dataset {
  path: string;
  events: number;
  bytes: number;
  seed: number;
  reused: boolean;
}

/**
 * The benchmark input for (size, seed): generated once into `outDir`, reused by later runs.
 * The generator version is part of the name, so a changed generator never reuses stale data.
 */
export async function ensureDataset(outDir: string, events: number, seed: number, log: (line: string) => void): Promise<Dataset> {
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, `audit-g${GENERATOR_VERSION}-n${events}-s${seed}.jsonl`);
  if (existsSync(path)) return { path, events, bytes: statSync(path).size, seed, reused: true };
  log(`generating ${events} audit events (seed ${seed}) into ${path} …`);
  const started = performance.now();
  const summary = await writeAuditEvents(path, { events, seed });
  log(`  done in ${((performance.now() - started) / 1000).toFixed(1)} s, ${(summary.bytes / 1e6).toFixed(1)} MB`);
  return { path, events: summary.events, bytes: summary.bytes, seed, reused: false };
}
