import { k8sAuditSource } from './k8s-audit.js';
import type { Source } from './source.js';

/** Every source Vigil can read; `--source auto` tries them in this order. */
export const SOURCES: readonly Source[] = [k8sAuditSource];

export function findSource(name: string): Source | undefined {
  return SOURCES.find((candidate) => candidate.name === name || candidate.kind === name);
}

/** The source whose records this value looks like, for `--source auto`. */
export function recogniseSource(value: unknown): Source | undefined {
  return SOURCES.find((source) => source.recognises(value));
}
