import { type ChildProcess, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { journaldSource } from '../journald.js';
import { type ReadBatch, decodeRecords } from '../read.js';
import { type RawRecord, splitLines, textLineOf } from '../records.js';
import { Backoff, pause } from './backoff.js';
import type { CheckpointFile } from './checkpoint-file.js';
import { type BatchSink, type LiveLog, type LiveSource, type LiveStats, type ProblemReporter, SILENT_LOG, bump, countBatch, countError, emptyStats } from './live-source.js';

export interface JournalCheckpoint {
  cursor: string;
}

export interface JournalFollowerOptions {
  name: string;
  cluster: string;
  /** The journalctl command and leading arguments; `["journalctl"]` by default. */
  command?: readonly string[];
  /** Only these systemd units (`-u`); all entries when absent. */
  units?: readonly string[];
  /** A journal directory (`-D`), e.g. the node's /var/log/journal mounted into a pod. */
  directory?: string;
  /** Where a first start (no checkpoint) begins, in journalctl's `--since` syntax; the current boot when absent. */
  since?: string;
  checkpoint?: CheckpointFile<JournalCheckpoint>;
  maxLineBytes?: number;
  backoff?: Backoff;
  log?: LiveLog;
  problems?: ProblemReporter;
}

/**
 * Follows the systemd journal by running `journalctl -f -o json`, resuming after the cursor of
 * the last stored entry (`--after-cursor`) when journalctl restarts or Vigil does.
 */
export class JournalFollower implements LiveSource {
  readonly name: string;
  private readonly counters: LiveStats = emptyStats();
  private readonly abort = new AbortController();
  private readonly log: LiveLog;
  private cursor?: string;
  private child?: ChildProcess;
  private running?: Promise<void>;

  constructor(private readonly options: JournalFollowerOptions) {
    this.name = options.name;
    this.log = options.log ?? SILENT_LOG;
  }

  start(sink: BatchSink): void {
    if (this.running) throw new Error(`journal follower ${this.name} is already running`);
    this.cursor = this.options.checkpoint?.loadOr((message) => this.log.warn(`journal ${this.name}: ${countError(this.counters, message, this.options.problems)}`))?.cursor;
    this.counters.state = 'running';
    this.running = this.loop(sink);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.child?.kill('SIGTERM');
    await this.running;
    this.counters.state = 'stopped';
  }

  stats(): LiveStats {
    return { ...this.counters, details: { ...this.counters.details } };
  }

  /** The arguments journalctl gets: follow, JSON, and where to begin. */
  arguments(): string[] {
    const args = ['--follow', '--output=json', '--no-pager'];
    if (this.cursor) args.push(`--after-cursor=${this.cursor}`);
    else if (this.options.since) args.push(`--since=${this.options.since}`);
    else args.push('--boot', '--lines=all');
    if (this.options.directory) args.push(`--directory=${this.options.directory}`);
    for (const unit of this.options.units ?? []) args.push(`--unit=${unit}`);
    return args;
  }

  private async loop(sink: BatchSink): Promise<void> {
    const backoff = this.options.backoff ?? new Backoff();
    while (!this.abort.signal.aborted) {
      try {
        const delivered = await this.runOnce(sink);
        if (this.abort.signal.aborted) break;
        if (delivered) backoff.reset();
      } catch (error) {
        if (this.abort.signal.aborted) break;
        this.counters.state = 'retrying';
        this.log.warn(`journal ${this.name}: ${countError(this.counters, error, this.options.problems)}; restarting journalctl`);
      }
      await pause(backoff.next(), this.abort.signal);
    }
  }

  /** Runs journalctl until it exits; says whether it delivered anything, throws why it ended otherwise. */
  private async runOnce(sink: BatchSink): Promise<boolean> {
    const [command, ...leading] = this.options.command ?? ['journalctl'];
    const child = spawn(command, [...leading, ...this.arguments()], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    bump(this.counters, 'spawns');
    const exit = exitOf(child);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    let delivered = false;
    try {
      for await (const items of splitLines(child.stdout as Readable, this.options.maxLineBytes ?? 1 << 20)) {
        const records = items.flatMap((item) => toRecord(textLineOf(item, 'journalctl')));
        delivered = (await this.deliver(decodeRecords(records, { source: journaldSource, cluster: this.options.cluster }, 'journalctl'), sink)) || delivered;
      }
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    }
    const { code, error } = await exit;
    if (this.abort.signal.aborted) return delivered;
    if (error) throw new Error(`cannot run ${command}: ${error.message}${(error as NodeJS.ErrnoException).code === 'ENOENT' ? ' (is systemd installed, or the host journal mounted with "directory"?)' : ''}`);
    throw new Error(`journalctl exited with ${code}${stderr.trim() ? `: ${stderr.trim().split('\n').pop()}` : ''}`);
  }

  private async deliver(batch: ReadBatch, sink: BatchSink): Promise<boolean> {
    if (batch.events.length === 0 && batch.quarantined.length === 0) return false;
    await sink(batch);
    countBatch(this.counters, batch);
    this.counters.state = 'running';
    const last = batch.events.at(-1)?.raw.__CURSOR;
    if (typeof last === 'string') {
      this.cursor = last;
      this.options.checkpoint?.save({ cursor: last });
    }
    return true;
  }
}

function toRecord(line: ReturnType<typeof textLineOf>): RawRecord[] {
  if (!line) return [];
  if (!line.ok) return [line];
  try {
    return [{ ok: true, value: JSON.parse(line.text), text: line.text, position: line.position }];
  } catch (error) {
    return [{ ok: false, reason: `malformed JSON from journalctl: ${(error as Error).message}`, sample: line.text.slice(0, 4096), position: line.position }];
  }
}

/** Resolves when the process is gone: with its exit code, or the error that kept it from starting. */
function exitOf(child: ChildProcess): Promise<{ code: number | null; error?: Error }> {
  return new Promise((resolve) => {
    child.once('error', (error) => resolve({ code: null, error }));
    child.once('close', (code) => resolve({ code }));
  });
}
