import { type ReadStream, createReadStream, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';

/** A named byte stream: a file (gzip is recognised by its magic bytes) or stdin (`-`). */
export interface Input {
  name: string;
  /** Size on disk when known, for progress reporting. */
  size?: number;
  open(): Promise<Readable>;
  /** Raw (still compressed) bytes read so far, for progress. */
  bytesRead(): number;
}

const GZIP_MAGIC = [0x1f, 0x8b];

export function inputFromPath(path: string): Input {
  if (path === '-') return { name: 'stdin', open: async () => maybeGunzip(process.stdin), bytesRead: () => 0 };
  let size: number;
  try {
    size = statSync(path).size;
  } catch (error) {
    throw new Error(`cannot read input "${path}": ${(error as NodeJS.ErrnoException).code ?? String(error)}; check the path`);
  }
  let file: ReadStream | undefined;
  return {
    name: path,
    size,
    open: async () => {
      file = createReadStream(path, { highWaterMark: 1 << 20 });
      return maybeGunzip(file);
    },
    bytesRead: () => file?.bytesRead ?? 0,
  };
}

/** Peeks the first chunk; a gzip stream is piped through gunzip, anything else is passed on as is. */
async function maybeGunzip(stream: Readable): Promise<Readable> {
  const first = await firstChunk(stream);
  if (first === null) return stream;
  stream.unshift(first);
  if (first[0] === GZIP_MAGIC[0] && first[1] === GZIP_MAGIC[1]) {
    const gunzip = createGunzip();
    stream.on('error', (error) => gunzip.destroy(error));
    return stream.pipe(gunzip);
  }
  return stream;
}

function firstChunk(stream: Readable): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const onReadable = () => {
      const chunk = stream.read() as Buffer | null;
      if (chunk === null && !stream.readableEnded) return;
      cleanup();
      resolve(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(null);
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const cleanup = () => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    stream.on('readable', onReadable);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}

/** Total size of the inputs, or undefined when one of them (stdin) has no known size. */
export function totalSize(inputs: readonly Input[]): number | undefined {
  let total = 0;
  for (const input of inputs) {
    if (input.size === undefined) return undefined;
    total += input.size;
  }
  return total;
}

export function totalBytesRead(inputs: readonly Input[]): number {
  return inputs.reduce((sum, input) => sum + input.bytesRead(), 0);
}
