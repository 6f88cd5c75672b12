import { createHash } from 'node:crypto';
import { type FileHandle, open } from 'node:fs/promises';

/** Where a followed file stands, as kept in the tailer's checkpoint. */
export interface FilePosition {
  path: string;
  dev: number;
  ino: number;
  /** Byte offset to resume from: the end of the last line whose event was stored. */
  offset: number;
  /** SHA-256 of the file's first `headLength` bytes: tells a truncated-and-rewritten file, and finds its rotated copy. */
  headHash: string;
  headLength: number;
}

/** A line read from a file, or a line over the size cap (only a sample is kept). */
export type FileLine = { kind: 'line'; text: string; start: number; end: number } | { kind: 'oversize'; sample: string; size: number; start: number; end: number };

/** How much of a file's beginning identifies it. */
export const HEAD_BYTES = 1024;
const SAMPLE_BYTES = 4096;
const NEWLINE = 0x0a;

/**
 * One open log file, read by byte offset. The descriptor stays open across a rename, so the
 * lines written before (and just after) a rotation are still read from the old file.
 */
export class FollowedFile {
  private carry = Buffer.alloc(0);
  private oversize: { start: number; size: number; sample: Buffer } | undefined;
  private head = Buffer.alloc(0);

  private constructor(
    readonly path: string,
    readonly dev: number,
    readonly ino: number,
    private readonly handle: FileHandle,
    private readOffset: number,
  ) {}

  static async open(path: string, offset = 0): Promise<FollowedFile> {
    const handle = await open(path, 'r');
    const stat = await handle.stat();
    const file = new FollowedFile(path, stat.dev, stat.ino, handle, offset);
    await file.loadHead();
    return file;
  }

  /** Offset after the last complete line read. */
  get consumed(): number {
    return this.readOffset - this.carry.length - (this.oversize ? this.oversize.size : 0);
  }

  async size(): Promise<number> {
    return (await this.handle.stat()).size;
  }

  /** True when the file's first bytes are still those this file began with (not truncated and rewritten). */
  async sameHead(): Promise<boolean> {
    if (this.head.length === 0) return true;
    const now = Buffer.alloc(this.head.length);
    const { bytesRead } = await this.handle.read(now, 0, now.length, 0);
    return bytesRead === now.length && now.equals(this.head);
  }

  headHash(): string {
    return createHash('sha256').update(this.head).digest('hex');
  }

  headLength(): number {
    return this.head.length;
  }

  /** The file was truncated in place (copytruncate): start over at its beginning. */
  restart(): void {
    this.readOffset = 0;
    this.carry = Buffer.alloc(0);
    this.oversize = undefined;
    this.head = Buffer.alloc(0);
  }

  /** Reads what was appended since the last call, in chunks of complete lines. */
  async *read(chunkBytes: number, maxLineBytes: number): AsyncGenerator<FileLine[]> {
    const buffer = Buffer.alloc(chunkBytes);
    for (;;) {
      const { bytesRead } = await this.handle.read(buffer, 0, chunkBytes, this.readOffset);
      if (bytesRead === 0) return;
      const chunk = buffer.subarray(0, bytesRead);
      this.noteHead(chunk);
      const lines = this.split(chunk, maxLineBytes);
      this.readOffset += bytesRead;
      if (lines.length > 0) yield lines;
    }
  }

  position(offset: number): FilePosition {
    return { path: this.path, dev: this.dev, ino: this.ino, offset, headHash: this.headHash(), headLength: this.head.length };
  }

  async close(): Promise<void> {
    await this.handle.close();
  }

  private split(chunk: Buffer, maxLineBytes: number): FileLine[] {
    const lines: FileLine[] = [];
    const base = this.readOffset - this.carry.length;
    const data = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    let start = 0;
    for (let end = data.indexOf(NEWLINE); end !== -1; end = data.indexOf(NEWLINE, start)) {
      if (this.oversize) {
        const { sample, size, start: from } = this.oversize;
        lines.push({ kind: 'oversize', sample: sample.toString('utf8'), size: size + end, start: from, end: base + end + 1 });
        this.oversize = undefined;
      } else if (end - start > maxLineBytes) {
        lines.push({ kind: 'oversize', sample: data.subarray(start, start + SAMPLE_BYTES).toString('utf8'), size: end - start, start: base + start, end: base + end + 1 });
      } else {
        lines.push({ kind: 'line', text: stripCr(data.subarray(start, end)).toString('utf8'), start: base + start, end: base + end + 1 });
      }
      start = end + 1;
    }
    const rest = data.subarray(start);
    if (this.oversize) {
      this.oversize.size += rest.length;
      this.carry = Buffer.alloc(0);
    } else if (rest.length > maxLineBytes) {
      // A line already over the cap is not buffered: its start is sampled, the rest skipped to its newline.
      this.oversize = { start: base + start, size: rest.length, sample: Buffer.from(rest.subarray(0, SAMPLE_BYTES)) };
      this.carry = Buffer.alloc(0);
    } else {
      this.carry = Buffer.from(rest);
    }
    return lines;
  }

  private noteHead(chunk: Buffer): void {
    if (this.readOffset >= HEAD_BYTES || this.readOffset !== this.head.length) return;
    this.head = Buffer.concat([this.head, chunk.subarray(0, HEAD_BYTES - this.head.length)]);
  }

  private async loadHead(): Promise<void> {
    const head = Buffer.alloc(Math.min(HEAD_BYTES, this.readOffset));
    if (head.length === 0) return;
    const { bytesRead } = await this.handle.read(head, 0, head.length, 0);
    this.head = head.subarray(0, bytesRead);
  }
}

function stripCr(bytes: Buffer): Buffer {
  return bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.subarray(0, bytes.length - 1) : bytes;
}
