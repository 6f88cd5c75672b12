import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext } from './measurements.js';
import { runMeasured } from './measure.js';
import { type Throughput, failureText, skipped } from './throughput.js';

/**
 * The archive tier on the benchmark data: `vigil archive` (every day before today) and
 * `vigil archive restore` of all of it, as rates over the archived events, and the archive's
 * size per event against the raw JSON of the same events (target: at most 15 %).
 */

export interface ArchiveMeasurement {
  rows: Throughput[];
  /** Archive bytes (segments + manifests + receipts + index) per event, and as a share of the raw JSON. */
  bytesPerEvent?: number;
  shareOfRaw?: number;
}

const SHARE_TARGET = 0.15;

export async function measureArchive(ctx: BenchContext): Promise<ArchiveMeasurement> {
  if (ctx.vigil.help('archive') === undefined) return { rows: [skipped('vigil archive', 'the archive command is not in this build')] };
  const dataDir = join(ctx.workDir, 'archive-data');
  const archiveDir = join(ctx.workDir, 'archive-target');
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(archiveDir, { recursive: true, force: true });
  const ingest = await runMeasured({ argv: ctx.vigil.argv('ingest', '--rules', 'none', '--data-dir', dataDir, ctx.dataset.path), stdout: 'ignore', timeoutMs: ctx.timeoutMs });
  if (ingest.exitCode !== 0) return { rows: [{ name: 'vigil archive', status: 'failed', reason: `ingest for the archive bench failed: ${failureText(ingest)}` }] };

  const move = await runMeasured({ argv: ctx.vigil.argv('archive', '--older-than', '1s', '--to', archiveDir, '--data-dir', dataDir, '-o', 'json'), stdout: 'capture', timeoutMs: ctx.timeoutMs });
  if (move.exitCode !== 0) return { rows: [{ name: 'vigil archive', status: 'failed', command: move.command, reason: failureText(move) }] };
  const archived = (JSON.parse(move.stdout) as { archivedRecords: number }).archivedRecords;
  if (archived === 0) return { rows: [skipped('vigil archive', 'the dataset has no events before today, so nothing was old enough to archive')] };
  const archiveBytes = directoryBytes(archiveDir);
  const rawBytes = (ctx.dataset.bytes / ctx.dataset.events) * archived;
  const shareOfRaw = archiveBytes / rawBytes;
  const bytesPerEvent = archiveBytes / archived;
  const moveRow: Throughput = {
    name: 'vigil archive (move to directory, brotli)',
    status: 'ok',
    command: move.command,
    eventsPerSecond: archived / move.wallSeconds,
    wallSeconds: move.wallSeconds,
    peakRssMiB: move.maxRssKiB === undefined ? undefined : move.maxRssKiB / 1024,
    note: `${archived} events; ${bytesPerEvent.toFixed(1)} B/event = ${(100 * shareOfRaw).toFixed(1)} % of raw JSON (target ≤ ${100 * SHARE_TARGET} %)${shareOfRaw > SHARE_TARGET ? ' MISSED' : ''}`,
  };

  const restore = await runMeasured({ argv: ctx.vigil.argv('archive', 'restore', '--from', archiveDir, '--data-dir', dataDir), stdout: 'capture', timeoutMs: ctx.timeoutMs });
  const restoreRow: Throughput =
    restore.exitCode === 0
      ? { name: 'vigil archive restore (all)', status: 'ok', command: restore.command, eventsPerSecond: archived / restore.wallSeconds, wallSeconds: restore.wallSeconds }
      : { name: 'vigil archive restore (all)', status: 'failed', command: restore.command, reason: failureText(restore) };
  rmSync(dataDir, { recursive: true, force: true });
  return { rows: [moveRow, restoreRow], bytesPerEvent, shareOfRaw };
}

function directoryBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += statSync(join(entry.parentPath, entry.name)).size;
  }
  return total;
}
