import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED_FIXTURES } from './cli.js';

export const FALCO_TRACES = join(SHARED_FIXTURES, 'falco', 'trace_files', 'k8s_audit');
export const ELASTIC_AUDIT = join(SHARED_FIXTURES, 'elastic', 'audit', 'test-audit.log');

export function falcoTraceFiles(): string[] {
  const files = readdirSync(FALCO_TRACES).filter((name) => name.endsWith('.json')).sort();
  if (files.length === 0) throw new Error(`no Falco trace files under ${FALCO_TRACES}`);
  return files.map((name) => join(FALCO_TRACES, name));
}

/**
 * The JSON objects a file holds, read independently of Vigil's reader (one per line, or the
 * whole file as one value when its lines do not parse on their own): the tests' oracle.
 */
export function objectsIn(path: string): Record<string, unknown>[] {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  try {
    return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  } catch {
    return [JSON.parse(text) as Record<string, unknown>];
  }
}
