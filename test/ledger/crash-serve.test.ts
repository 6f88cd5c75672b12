import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { writeAuditEvents } from '../../bench/generate.js';
import { VIGIL_BIN, cleanEnv, tempDir, vigil } from '../helpers/cli.js';
import { falcoTraceFiles, objectsIn } from '../helpers/fixtures.js';
import { startServer } from '../helpers/server.js';
import { type Json, verifyJson } from './store-tamper.js';

/** The ledger across a crash of `vigil ingest` and across the life of `vigil serve`. */

function storedLeaves(dataDir: string): number {
  const path = join(dataDir, 'vigil.db');
  if (!existsSync(path)) return 0;
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      return db.prepare('SELECT count(*) FROM leaves').pluck().get() as number;
    } finally {
      db.close();
    }
  } catch {
    return 0; // the schema is not there yet
  }
}

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('kill -9 during vigil ingest', () => {
  it('leaves a store that verifies intact; the next ingest signs a checkpoint covering everything stored', async () => {
    const dir = tempDir('vigil-crash-');
    const input = join(dir, 'audit.jsonl');
    await writeAuditEvents(input, { events: 50_000 });
    const dataDir = join(dir, 'data');
    const witness = tempDir('vigil-witness-');
    const child = spawn(process.execPath, [VIGIL_BIN, 'ingest', '--cluster', 'gen', '--rules', 'none', '--data-dir', dataDir, '--witness', witness, input], {
      env: cleanEnv(),
      stdio: 'ignore',
    });
    const exited = once(child, 'exit');
    await until(() => child.exitCode !== null || storedLeaves(dataDir) >= 5000, 'the ingest to store 5000 records');
    child.kill('SIGKILL');
    await exited;
    expect(child.signalCode).toBe('SIGKILL');

    const afterCrash = await verifyJson(dataDir, '--witness', witness);
    const { report } = afterCrash;
    expect(report.ledgerSize).toBeGreaterThanOrEqual(5000);
    expect(report).toMatchObject({ intact: true, records: report.ledgerSize, storeProblems: [] });
    // Stored after the last per-second checkpoint: intact but not yet signed, and only at the end.
    for (const range of report.uncovered as Json[]) expect(range.to).toBe(report.ledgerSize);
    expect(afterCrash.code).toBe(0);

    const next = await vigil(['ingest', '--cluster', 'falco', '--rules', 'none', '--data-dir', dataDir, '--witness', witness, falcoTraceFiles()[0]]);
    expect(next.code).toBe(0);
    const afterNext = await verifyJson(dataDir, '--witness', witness);
    expect(afterNext.report).toMatchObject({ intact: true, uncovered: [] });
    expect(afterNext.report.witnesses).toEqual([expect.objectContaining({ size: afterNext.report.ledgerSize, status: 'consistent' })]);
    expect(afterNext.code).toBe(0);
  });
});

describe('vigil serve', () => {
  it('signs while records arrive, copies each checkpoint to the witness, and exits on SIGTERM with all of it signed', async () => {
    const dataDir = join(tempDir('vigil-serve-'), 'data');
    const witness = tempDir('vigil-witness-');
    const token = (await vigil(['tokens', 'create', '--name', 'apiserver', '--role', 'ingest', '--data-dir', dataDir])).stdout.trim();
    const server = await startServer(['--data-dir', dataDir, '--witness', witness, '--rules', 'none']);
    try {
      const events = falcoTraceFiles().flatMap(objectsIn).filter((event) => event.kind === 'Event');
      const response = await fetch(`${server.url}/api/v1/ingest/k8s-audit/falco`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: events }),
      });
      const { accepted } = (await response.json()) as { accepted: number };
      expect(accepted).toBeGreaterThan(40);
      const witnessSize = () => (existsSync(join(witness, 'checkpoint')) ? Number(readFileSync(join(witness, 'checkpoint'), 'utf8').split('\n')[1]) : 0);
      await until(() => witnessSize() === accepted, 'the ticker to sign and publish a checkpoint');

      server.process.kill('SIGTERM');
      await once(server.process, 'exit');
      expect(server.process.exitCode).toBe(0);
    } finally {
      await server.kill();
    }
    const { code, report } = await verifyJson(dataDir, '--witness', witness);
    expect(report).toMatchObject({ intact: true, uncovered: [] });
    expect(report.witnesses).toEqual([expect.objectContaining({ status: 'consistent' })]);
    expect(code).toBe(0);
  });
});
