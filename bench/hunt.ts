import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext } from './measurements.js';
import type { CommandRun } from './measure.js';
import { type Check, type Throughput, failureText, measureThroughput, skipped } from './throughput.js';

/**
 * `vigil hunt` throughput with the built-in pack: over the hot store the ingest filled, and over
 * the same events archived (`vigil archive` on a copy of that data directory, so the queries
 * measured later still see a full hot store). The floor's rate comes from the same run (run.ts
 * fills in the ratio). Each run must replay every event of the dataset.
 */
export async function measureHunt(ctx: BenchContext, dataDir: string | undefined): Promise<Throughput[]> {
  const stored = 'vigil hunt (hot store, builtin)';
  const archived = 'vigil hunt (archived, builtin)';
  if (ctx.vigil.help('hunt') === undefined) return [skipped(stored, '`vigil hunt --help` fails: the hunt command is not in this build yet'), skipped(archived, 'no hunt command')];
  if (dataDir === undefined) return [skipped(stored, 'needs a successful ingest'), skipped(archived, 'needs a successful ingest')];
  const rows = [await huntWith(ctx, stored, dataDir, [], 'hunt-stored.ndjson')];
  rows.push(await measureArchivedHunt(ctx, archived, dataDir));
  return rows;
}

async function measureArchivedHunt(ctx: BenchContext, name: string, dataDir: string): Promise<Throughput> {
  if (ctx.vigil.help('archive') === undefined) return skipped(name, '`vigil archive --help` fails: the archive command is not in this build yet');
  const copy = join(ctx.workDir, 'hunt-archive-data');
  const archive = join(ctx.workDir, 'hunt-archive');
  rmSync(copy, { recursive: true, force: true });
  cpSync(dataDir, copy, { recursive: true });
  try {
    // The generated days lie well in the past: every one is older than a day and moves to the archive.
    const argv = ctx.vigil.argv('archive', '--older-than', '1d', '--to', archive, '--data-dir', copy);
    const { row: move, run } = await measureThroughput('vigil archive', ctx.dataset, { argv, stdout: 'capture', timeoutMs: ctx.timeoutMs });
    if (move.status !== 'ok') return { name, status: 'failed', reason: `archiving the store for the hunt failed: ${move.reason ?? ''}` };
    const moved = Number(/archived (\d+) records/.exec(run.stdout)?.[1] ?? 0);
    if (moved !== ctx.dataset.events) return { name, status: 'failed', reason: `vigil archive moved ${moved} of the ${ctx.dataset.events} events; the hunt would not read them all from the archive` };
    return await huntWith(ctx, name, copy, ['--include-archive', archive], 'hunt-archived.ndjson');
  } finally {
    rmSync(copy, { recursive: true, force: true });
    rmSync(archive, { recursive: true, force: true });
  }
}

async function huntWith(ctx: BenchContext, name: string, dataDir: string, extraArgs: string[], outputName: string): Promise<Throughput> {
  const outputFile = join(ctx.workDir, outputName);
  const argv = ctx.vigil.argv('hunt', '--data-dir', dataDir, '--rules', 'builtin', '-o', 'ndjson', ...extraArgs);
  const { row, run } = await measureThroughput(name, ctx.dataset, { argv, stdout: { file: outputFile }, timeoutMs: ctx.timeoutMs }, replaysEverything(ctx.dataset.events));
  const rate = /\((\d+) events\/s\)/.exec(run.stderrTail)?.[1];
  row.note = `${countLines(outputFile) ?? '?'} alerts; ${rate ?? '?'} events/s without start-up and rule loading`;
  return row;
}

/** Exit 0 (no alerts) or 1 (alerts found) are both success when the summary says every event was replayed. */
function replaysEverything(events: number): Check {
  return (run: CommandRun) => {
    if (run.exitCode !== 0 && run.exitCode !== 1) return failureText(run);
    const hunted = /^hunted (\d+) events/m.exec(run.stderrTail)?.[1];
    if (hunted === undefined) return `no "hunted N events" summary on stderr:\n    ${run.stderrTail.trim().split('\n').slice(-4).join('\n    ')}`;
    return Number(hunted) === events ? undefined : `replayed ${hunted} events, the dataset has ${events}`;
  };
}

function countLines(path: string): number | undefined {
  if (!existsSync(path)) return undefined;
  return readFileSync(path, 'utf8').split('\n').filter((line) => line !== '').length;
}
