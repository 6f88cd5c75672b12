import { cpSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import { tempDir, vigil } from '../helpers/cli.js';

/**
 * Shared by the ledger integration tests: copies of a data directory changed with plain SQL
 * behind Vigil's back, and `vigil verify -o json` run on them.
 */

// any: the report is JSON printed by the CLI; the tests assert its shape.
export type Json = Record<string, any>;

export interface VerifyRun {
  code: number | null;
  report: Json;
  stderr: string;
}

export async function verifyJson(dataDir: string, ...extra: string[]): Promise<VerifyRun> {
  const result = await vigil(['verify', '-o', 'json', '--data-dir', dataDir, ...extra]);
  let report: Json;
  try {
    report = JSON.parse(result.stdout) as Json;
  } catch {
    throw new Error(`vigil verify printed no JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
  return { code: result.code, report, stderr: result.stderr };
}

/** The ranges that are not intact, without their details. */
export function anomalies(report: Json): Array<{ from: number; to: number; kind: string }> {
  return (report.ranges as Json[]).filter((range) => range.kind !== 'intact').map(({ from, to, kind }) => ({ from, to, kind }));
}

export function rangeAt(report: Json, seq: number): Json {
  const range = (report.ranges as Json[]).find((r) => r.from <= seq && seq < r.to);
  expect(range, `a range holding seq ${seq}`).toBeDefined();
  return range as Json;
}

/** A copy of `pristine` with `change` applied through better-sqlite3, as an intruder with file access would. */
export function tamperedCopy(pristine: string, change: (db: Database.Database) => void): string {
  const dir = join(tempDir('vigil-tamper-'), 'data');
  cpSync(pristine, dir, { recursive: true });
  const db = new Database(join(dir, 'vigil.db'));
  try {
    change(db);
  } finally {
    db.close();
  }
  return dir;
}

export function partitionTables(db: Database.Database): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'events_[0-9]*'").pluck().all() as string[]).sort();
}

/** The partition table that holds `seq`. */
export function tableOf(db: Database.Database, seq: number): string {
  const table = partitionTables(db).find((name) => db.prepare(`SELECT 1 FROM ${name} WHERE seq = ?`).get(seq));
  if (!table) throw new Error(`no partition holds seq ${seq}`);
  return table;
}
