import type { PhysicalLine } from './log-line.js';

/** A message as the application wrote it: one full line, or partial lines joined. */
export interface LogicalLine {
  format: PhysicalLine['format'];
  /** Time of the first piece: when the application began writing the line. */
  time: string;
  stream: string;
  message: string;
  /** How many physical lines were joined. */
  pieces: number;
  /** Bytes cut because the joined line exceeded the cap. */
  truncatedBytes: number;
  /** The input ended before the line's last piece. */
  unfinished: boolean;
  attrs?: Record<string, unknown>;
}

/**
 * Joins partial lines per stream, since stdout and stderr pieces interleave in one file, and
 * cuts a joined line at `maxBytes` so one endless line cannot exhaust memory.
 */
export class PartialLines {
  private readonly open = new Map<string, LogicalLine>();

  constructor(private readonly maxBytes: number) {}

  /** Adds a physical line; returns the logical line it completes, if any. */
  add(line: PhysicalLine): LogicalLine | undefined {
    const started = this.open.get(line.stream);
    const logical = started ? this.append(started, line.message) : this.start(line);
    if (line.partial) {
      this.open.set(line.stream, logical);
      return undefined;
    }
    this.open.delete(line.stream);
    return logical;
  }

  hasOpen(): boolean {
    return this.open.size > 0;
  }

  /** The lines still waiting for their last piece, marked unfinished. */
  drain(): LogicalLine[] {
    const rest = [...this.open.values()].map((line) => ({ ...line, unfinished: true }));
    this.open.clear();
    return rest;
  }

  private start(line: PhysicalLine): LogicalLine {
    const first: LogicalLine = { format: line.format, time: line.time, stream: line.stream, message: '', pieces: 0, truncatedBytes: 0, unfinished: false, attrs: line.attrs };
    return this.append(first, line.message);
  }

  private append(logical: LogicalLine, piece: string): LogicalLine {
    logical.pieces += 1;
    const room = this.maxBytes - Buffer.byteLength(logical.message);
    const size = Buffer.byteLength(piece);
    if (size <= room) {
      logical.message += piece;
      return logical;
    }
    const kept = cutToBytes(piece, Math.max(0, room));
    logical.message += kept;
    logical.truncatedBytes += size - Buffer.byteLength(kept);
    return logical;
  }
}

/** The longest prefix of `text` within `bytes` UTF-8 bytes, never splitting a character. */
export function cutToBytes(text: string, bytes: number): string {
  const buffer = Buffer.from(text);
  if (buffer.length <= bytes) return text;
  let end = bytes;
  while (end > 0 && (buffer[end] & 0xc0) === 0x80) end--;
  return buffer.subarray(0, end).toString('utf8');
}
