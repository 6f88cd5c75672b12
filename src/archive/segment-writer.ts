import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Transform } from 'node:stream';
import { constants, createBrotliCompress, createGzip } from 'node:zlib';
import type { Compression, SegmentLine } from './segment-format.js';
import { encodeLine } from './segment-format.js';

/**
 * Writes one segment file: lines in, compressed bytes out to a local file, with the sha256 and
 * size of what was written. Lines are batched into ~256 KiB writes so the compressor sees large
 * inputs.
 */

/** Brotli at quality 5 with a 16 MiB window: most of quality 11's ratio on repetitive JSON at a rate gzip -6 barely beats. */
export function compressor(compression: Compression): Transform {
  if (compression === 'gzip') return createGzip({ level: 6 });
  return createBrotliCompress({
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 5,
      [constants.BROTLI_PARAM_LGWIN]: 24,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
    },
  });
}

export interface WrittenSegment {
  path: string;
  bytes: number;
  sha256: string;
}

const BATCH_CHARS = 256 * 1024;

export class SegmentWriter {
  private readonly zip: Transform;
  private readonly file;
  private readonly hash = createHash('sha256');
  private bytes = 0;
  private pending = '';
  private readonly done: Promise<void>;

  constructor(
    private readonly path: string,
    compression: Compression,
  ) {
    this.zip = compressor(compression);
    this.file = createWriteStream(path, { mode: 0o644 });
    this.zip.on('data', (chunk: Buffer) => {
      this.hash.update(chunk);
      this.bytes += chunk.length;
    });
    this.zip.pipe(this.file);
    this.done = new Promise((resolve, reject) => {
      this.file.on('close', resolve);
      this.file.on('error', reject);
      this.zip.on('error', reject);
    });
  }

  async add(line: SegmentLine): Promise<void> {
    this.pending += encodeLine(line);
    if (this.pending.length >= BATCH_CHARS) await this.flushPending();
  }

  async finish(): Promise<WrittenSegment> {
    await this.flushPending();
    this.zip.end();
    await this.done;
    return { path: this.path, bytes: this.bytes, sha256: this.hash.digest('hex') };
  }

  private async flushPending(): Promise<void> {
    if (this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    if (!this.zip.write(text)) await once(this.zip, 'drain');
  }
}
