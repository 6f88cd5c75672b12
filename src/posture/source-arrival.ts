import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CompiledRule } from '../detect/rule.js';
import { DATABASE_FILE, openDatabase } from '../store/sqlite/database.js';
import type { Finding } from './findings.js';

/** Which sources actually arrive in a Vigil data dir: the newest event per source and cluster. */

export interface SourceArrival {
  source: string;
  cluster: string;
  /** Epoch ms of the newest stored event. */
  lastSeen: number;
}

export class DataDirError extends Error {}

/** Partitions (days) read, newest first: enough to tell "silent" from "never seen lately". */
const MAX_PARTITIONS = 31;
const PARTITION_TABLE = /^events_\d{8}$/;

export function readSourceArrivals(dataDir: string): SourceArrival[] {
  if (!existsSync(join(dataDir, DATABASE_FILE))) {
    throw new DataDirError(`${dataDir}: no Vigil store here (expected ${join(dataDir, DATABASE_FILE)}); give the --data-dir of vigil serve/ingest`);
  }
  const db = openDatabase(dataDir, { readonly: true });
  try {
    const partitions = db.prepare('SELECT table_name FROM partitions ORDER BY day DESC LIMIT ?').all(MAX_PARTITIONS) as Array<{ table_name: string }>;
    const newest = new Map<string, SourceArrival>();
    for (const { table_name: table } of partitions) {
      if (!PARTITION_TABLE.test(table)) continue;
      const rows = db.prepare(`SELECT source, cluster, max(ts) AS last FROM ${table} GROUP BY source, cluster`).all() as Array<{ source: string; cluster: string; last: number }>;
      for (const row of rows) {
        const key = `${row.cluster}\u0000${row.source}`;
        const known = newest.get(key);
        if (known === undefined || row.last > known.lastSeen) newest.set(key, { source: row.source, cluster: row.cluster, lastSeen: row.last });
      }
    }
    return [...newest.values()].sort((a, b) => a.cluster.localeCompare(b.cluster) || a.source.localeCompare(b.source));
  } finally {
    db.close();
  }
}

const DEFAULT_SILENCE_MS = 3_600_000;
const AUDIT_SOURCES = ['k8s.audit', 'cloud.eks', 'cloud.gke', 'cloud.aks'];

/**
 * How long each source may stay quiet: the shortest `absence.after` of the rule set's absence
 * rules for it (the same limit the alerts use), else an hour.
 */
export function silenceLimits(rules: readonly CompiledRule[]): Map<string, number> {
  const limits = new Map<string, number>();
  for (const rule of rules) {
    if (rule.operator.kind !== 'absence' || rule.sources === undefined || rule.condition.signature !== 'true') continue;
    for (const source of rule.sources) limits.set(source, Math.min(limits.get(source) ?? Infinity, rule.operator.afterMs));
  }
  return limits;
}

export function sourceFindings(arrivals: readonly SourceArrival[], limits: ReadonlyMap<string, number>, now: number, dataDir: string): Finding[] {
  const findings: Finding[] = [];
  const location = { file: dataDir };
  for (const arrival of arrivals) {
    if (arrival.source === 'vigil.admin') continue;
    const limit = limits.get(arrival.source) ?? DEFAULT_SILENCE_MS;
    const quiet = now - arrival.lastSeen;
    if (quiet <= limit) continue;
    findings.push({
      id: 'source-silent',
      severity: AUDIT_SOURCES.includes(arrival.source) ? 'high' : 'medium',
      title: `${arrival.source} from cluster ${arrival.cluster} went silent`,
      evidence: [`newest ${arrival.source} event ${new Date(arrival.lastSeen).toISOString()}, ${humanDuration(quiet)} ago (limit ${humanDuration(limit)})`],
      fix: `Check the ${arrival.source} pipeline of cluster ${arrival.cluster}: its shipper or webhook, its credentials, and Vigil's receiver logs.`,
      location,
      subject: `${arrival.cluster}/${arrival.source}`,
    });
  }
  const seen = new Set(arrivals.map((arrival) => arrival.source));
  if (!AUDIT_SOURCES.some((source) => seen.has(source))) {
    findings.push({
      id: 'source-never-seen',
      severity: 'high',
      title: 'No Kubernetes audit events in the data dir',
      evidence: [`${dataDir}: no k8s.audit or cloud audit events in the last ${MAX_PARTITIONS} stored days`],
      fix: 'Point kube-apiserver\'s audit webhook at vigil serve (deploy/audit/webhook-kubeconfig.yaml) or ingest the audit log files.',
      location,
      subject: 'k8s.audit',
    });
  }
  if (!seen.has('container')) {
    findings.push({
      id: 'source-never-seen',
      severity: 'medium',
      title: 'No container logs in the data dir',
      evidence: [`${dataDir}: no container events in the last ${MAX_PARTITIONS} stored days`],
      fix: 'Ship container logs (Fluent Bit, Vector) to Vigil.',
      location,
      subject: 'container',
    });
  }
  return findings;
}

function humanDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 120) return `${minutes}m`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours}h` : `${Math.round(hours / 24)}d`;
}
