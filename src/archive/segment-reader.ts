import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { PassThrough, type Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip } from 'node:zlib';
import { type SegmentLine, decodeLine } from './segment-format.js';
import type { ArchiveTarget } from './target.js';

/**
 * Streams a segment's lines from the target, decompressing as it goes: one line in memory at a
 * time. `digest()` gives the sha256 and size of the compressed bytes read so far (all of them once
 * the lines are exhausted), so reading and checking a segment is one pass.
 */
export class SegmentReader {
  private readonly hash = createHash('sha256');
  private bytes = 0;

  constructor(
    private readonly target: ArchiveTarget,
    readonly name: string,
  ) {}

  async *lines(): AsyncGenerator<SegmentLine> {
    const raw = await this.target.read(this.name);
    const counted = new PassThrough();
    raw.on('data', (chunk: Buffer) => {
      this.hash.update(chunk);
      this.bytes += chunk.length;
    });
    raw.on('error', (error) => counted.destroy(error));
    raw.pipe(counted);
    const inflate = this.name.endsWith('.gz') ? createGunzip() : createBrotliDecompress();
    const text = counted.pipe(inflate);
    counted.on('error', (error) => inflate.destroy(error));
    const reader = createInterface({ input: text as Readable, crlfDelay: Number.POSITIVE_INFINITY });
    let number = 0;
    try {
      for await (const line of reader) {
        number += 1;
        if (line !== '') yield decodeLine(line, `${this.name} line ${number}`);
      }
    } finally {
      reader.close();
      raw.destroy();
    }
  }

  digest(): { sha256: string; bytes: number } {
    return { sha256: this.hash.copy().digest('hex'), bytes: this.bytes };
  }
}
