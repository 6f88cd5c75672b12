import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/**
 * The floor every JSON-lines consumer is measured against: read the file, split it into lines and
 * `JSON.parse` each one, on one core, nothing else. Prints `{"events":N,"bytes":N}` on stdout.
 *
 *   node dist/bench/floor.js FILE
 */
async function parseEveryLine(path: string): Promise<{ events: number; bytes: number }> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let events = 0;
  let bytes = 0;
  const parse = (line: string) => {
    JSON.parse(line);
    events++;
  };
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    const text = pending + decoder.write(chunk);
    let start = 0;
    for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', start)) {
      if (newline > start) parse(text.slice(start, newline));
      start = newline + 1;
    }
    pending = text.slice(start);
  }
  pending += decoder.end();
  if (pending.trim() !== '') parse(pending);
  return { events, bytes };
}

const path = process.argv[2];
if (path === undefined) {
  process.stderr.write('usage: node dist/bench/floor.js FILE\n');
  process.exitCode = 2;
} else {
  parseEveryLine(path).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (error: unknown) => {
      process.stderr.write(`floor: cannot read ${path}: ${(error as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
