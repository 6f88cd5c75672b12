import { stat } from 'node:fs/promises';
import type { VigilEvent } from '../../model/event.js';
import type { ReadBatch } from '../read.js';
import { addDecoded } from '../read-lines.js';
import type { Decoded, LineDecoder, Source } from '../source.js';
import { pause } from './backoff.js';
import type { CheckpointFile } from './checkpoint-file.js';
import { type FileLine, type FilePosition, FollowedFile } from './followed-file.js';
import { type BatchSink, type LiveLog, type LiveSource, type LiveStats, type ProblemReporter, SILENT_LOG, bump, countBatch, countError, emptyStats } from './live-source.js';
import { findRotated } from './rotated-copy.js';

export interface TailCheckpoint {
  files: FilePosition[];
}

export interface FileTailerOptions {
  name: string;
  /** The source whose events the lines become (its kind labels quarantined lines). */
  source: Source;
  /** The paths to follow now (a directory listing, or one file). */
  list(): Promise<string[]>;
  /** A decoder for one file, e.g. with the container identity read from its name. */
  decoderFor(path: string): LineDecoder;
  /** Written into events that carry no host name of their own. */
  host?: string;
  checkpoint?: CheckpointFile<TailCheckpoint>;
  pollIntervalMs?: number;
  /** A physical line longer than this is quarantined as a sample and counted as truncated. */
  maxLineBytes?: number;
  readChunkBytes?: number;
  log?: LiveLog;
  problems?: ProblemReporter;
}

interface Tracked {
  file: FollowedFile;
  decoder: LineDecoder;
  /** Offset up to which every line's event is stored and the decoder holds nothing back. */
  safeOffset: number;
  /** Set once a rotated-away file was read to its end in one poll; it is closed at the next quiet poll. */
  drained?: boolean;
}

/**
 * Follows log files as they grow, across rotation: a renamed file is read to its end through
 * its open descriptor while the new file is read from its start; a file truncated in place
 * (copytruncate) is finished from its copy before it is read again from the start. Offsets are
 * checkpointed after each stored batch, so a restart resumes where the store left off, also
 * when the files were rotated meanwhile. Polling (not inotify) keeps it simple and portable;
 * the price is that a file created and rotated away between two polls is not seen at all.
 */
export class FileTailer implements LiveSource {
  readonly name: string;
  private readonly counters: LiveStats = emptyStats();
  private readonly active = new Map<string, Tracked>();
  private readonly draining: Tracked[] = [];
  private readonly abort = new AbortController();
  private readonly log: LiveLog;
  private resume = new Map<string, FilePosition>();
  private restored = false;
  private lastSaved = '';
  private running?: Promise<void>;

  constructor(private readonly options: FileTailerOptions) {
    this.name = options.name;
    this.log = options.log ?? SILENT_LOG;
  }

  start(sink: BatchSink): void {
    if (this.running) throw new Error(`tailer ${this.name} is already running`);
    this.counters.state = 'running';
    this.running = this.loop(sink);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
    for (const tracked of [...this.active.values(), ...this.draining]) await tracked.file.close();
    this.active.clear();
    this.draining.length = 0;
    this.counters.state = 'stopped';
  }

  stats(): LiveStats {
    return { ...this.counters, details: { ...this.counters.details, files: this.active.size, draining: this.draining.length } };
  }

  /** One pass over the files: rotations, old files to their end, new files, new lines. Tests call it directly. */
  async poll(sink: BatchSink): Promise<void> {
    if (!this.restored) await this.restore(sink);
    await this.noticeRotations();
    for (const tracked of [...this.draining]) await this.drain(tracked, sink);
    for (const path of await this.options.list()) if (!this.active.has(path)) await this.adopt(path, sink);
    for (const [path, tracked] of this.active) {
      await this.recoverTruncation(path, tracked, sink);
      await this.readNew(tracked, sink);
    }
    this.saveCheckpoint();
  }

  private async loop(sink: BatchSink): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        await this.poll(sink);
        this.counters.state = 'running';
      } catch (error) {
        this.counters.state = 'retrying';
        this.log.warn(`tailer ${this.name}: ${countError(this.counters, error, this.options.problems)}; retrying`);
      }
      await pause(this.options.pollIntervalMs ?? 1000, this.abort.signal);
    }
  }

  /** Files in the checkpoint that are no longer at their path were rotated while Vigil was down: finish them first. */
  private async restore(sink: BatchSink): Promise<void> {
    this.restored = true;
    const checkpoint = this.options.checkpoint?.loadOr((message) => this.log.warn(`tailer ${this.name}: ${countError(this.counters, message, this.options.problems)}`));
    for (const saved of checkpoint?.files ?? []) {
      const info = await statOf(saved.path);
      if (info && info.dev === saved.dev && info.ino === saved.ino) {
        this.resume.set(inodeKey(info), saved);
        continue;
      }
      await this.finishElsewhere(saved, this.options.decoderFor(saved.path), sink);
    }
  }

  private async noticeRotations(): Promise<void> {
    for (const [path, tracked] of this.active) {
      const info = await statOf(path);
      if (info && info.dev === tracked.file.dev && info.ino === tracked.file.ino) continue;
      this.active.delete(path);
      this.draining.push(tracked);
      bump(this.counters, 'rotations');
    }
  }

  /** A rotated-away file is read until a poll finds nothing new (the writer has moved on), then closed. */
  private async drain(tracked: Tracked, sink: BatchSink): Promise<void> {
    const readSome = await this.readNew(tracked, sink);
    if (readSome || !tracked.drained) {
      tracked.drained = true;
      return;
    }
    await this.deliver(this.batchOf(tracked.decoder.end()), sink);
    await tracked.file.close();
    this.draining.splice(this.draining.indexOf(tracked), 1);
  }

  private async adopt(path: string, sink: BatchSink): Promise<void> {
    const info = await statOf(path);
    if (!info) return;
    const saved = this.resume.get(inodeKey(info));
    this.resume.delete(inodeKey(info));
    const decoder = this.options.decoderFor(path);
    let file = await FollowedFile.open(path, saved?.offset ?? 0);
    if (saved && (info.size < saved.offset || !(await file.sameHead()))) {
      // Truncated in place (or the inode reused) while Vigil was down: finish the copy, then read anew.
      await this.finishElsewhere(saved, decoder, sink);
      await file.close();
      file = await FollowedFile.open(path, 0);
    }
    this.active.set(path, { file, decoder, safeOffset: file.consumed });
  }

  /** Reads the rest of a file that is no longer at its path from where the checkpoint left it, if it can be found. */
  private async finishElsewhere(saved: FilePosition, decoder: LineDecoder, sink: BatchSink): Promise<void> {
    const moved = await findRotated(saved.path, saved, saved.offset);
    if (!moved) {
      bump(this.counters, 'rotated_away_unread');
      this.counters.dropped += 1;
      this.options.problems?.dropped(1, `${saved.path} rotated away unread after byte ${saved.offset}`);
      this.log.warn(`tailer ${this.name}: ${saved.path} was rotated while stopped and its old file is gone; lines after byte ${saved.offset} may be missing`);
      return;
    }
    const file = await FollowedFile.open(moved, saved.offset);
    const tracked: Tracked = { file, decoder, safeOffset: saved.offset };
    await this.readNew(tracked, sink);
    await this.deliver(this.batchOf(decoder.end()), sink);
    await file.close();
  }

  /** copytruncate: what was written before the truncation is in the copy; read it from there, then start over. */
  private async recoverTruncation(path: string, tracked: Tracked, sink: BatchSink): Promise<void> {
    const { file } = tracked;
    if ((await file.size()) >= file.consumed && (await file.sameHead())) return;
    bump(this.counters, 'truncations');
    const copy = await findRotated(path, { dev: file.dev, ino: file.ino, headHash: file.headHash(), headLength: file.headLength() }, file.consumed);
    if (copy) {
      bump(this.counters, 'copies_read');
      const rest = await FollowedFile.open(copy, file.consumed);
      await this.readNew({ ...tracked, file: rest }, sink);
      await rest.close();
    } else if (file.consumed > 0) {
      this.options.problems?.error(`${path} was truncated and no copy of it was found`);
      this.log.warn(`tailer ${this.name}: ${path} was truncated and no copy of it was found; lines written just before may be missing`);
    }
    file.restart();
    tracked.safeOffset = 0;
  }

  /** Reads and stores what a file gained; says whether there was anything. */
  private async readNew(tracked: Tracked, sink: BatchSink): Promise<boolean> {
    let readSome = false;
    for await (const lines of tracked.file.read(this.options.readChunkBytes ?? 1 << 20, this.options.maxLineBytes ?? 1 << 20)) {
      readSome = true;
      const batch: ReadBatch = { events: [], quarantined: [] };
      let safe = tracked.safeOffset;
      for (const line of lines) {
        this.decodeLine(tracked, line, batch);
        if (!tracked.decoder.hasPartial()) safe = line.end;
      }
      await this.deliver(batch, sink);
      tracked.safeOffset = safe;
      this.saveCheckpoint();
    }
    return readSome;
  }

  private decodeLine(tracked: Tracked, line: FileLine, batch: ReadBatch): void {
    const position = `${tracked.file.path}@${line.start}`;
    if (line.kind === 'oversize') {
      this.counters.truncated += 1;
      batch.quarantined.push({ source: this.options.source.kind, position, reason: `line of ${line.size} bytes exceeds the cap (maxLineBytes)`, sample: line.sample, receivedAt: Date.now() });
      return;
    }
    if (line.text.trim() === '') return;
    addDecoded(batch, tracked.decoder.decode(line.text, position), this.options.source, Date.now());
  }

  private batchOf(decoded: Decoded): ReadBatch {
    const batch: ReadBatch = { events: [], quarantined: [] };
    addDecoded(batch, decoded, this.options.source, Date.now());
    return batch;
  }

  private async deliver(batch: ReadBatch, sink: BatchSink): Promise<void> {
    if (batch.events.length === 0 && batch.quarantined.length === 0) return;
    if (this.options.host) for (const event of batch.events) setHost(event, this.options.host);
    await sink(batch);
    countBatch(this.counters, batch);
  }

  private saveCheckpoint(): void {
    if (!this.options.checkpoint) return;
    const files = [...this.draining, ...this.active.values()].map((tracked) => tracked.file.position(tracked.safeOffset));
    const text = JSON.stringify(files);
    if (text === this.lastSaved) return;
    this.options.checkpoint.save({ files });
    this.lastSaved = text;
  }
}

function setHost(event: VigilEvent, host: string): void {
  event.hostName ??= host;
}

async function statOf(path: string): Promise<{ dev: number; ino: number; size: number } | undefined> {
  try {
    return await stat(path);
  } catch {
    return undefined;
  }
}

function inodeKey(info: { dev: number; ino: number }): string {
  return `${info.dev}:${info.ino}`;
}
