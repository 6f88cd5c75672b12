import type { Decoded, DecodeContext, LineFormat, Source } from './source.js';
import { type LineOrOversize, textLineOf } from './records.js';
import type { ReadBatch } from './read.js';

/** A source that reads text lines. */
export type LineSource = Source & { lines: LineFormat };

/** The first non-blank line of split input, and the input again from its start. */
export async function peekFirstLine(lines: AsyncGenerator<LineOrOversize[]>): Promise<{ firstLine?: string; lines: AsyncGenerator<LineOrOversize[]> }> {
  const seen: LineOrOversize[][] = [];
  let firstLine: string | undefined;
  // Pulled by hand: leaving a for-await early would close the generator and lose the rest.
  while (firstLine === undefined) {
    const next = await lines.next();
    if (next.done) break;
    seen.push(next.value);
    firstLine = firstReadable(next.value);
  }
  async function* replay(): AsyncGenerator<LineOrOversize[]> {
    yield* seen;
    yield* lines;
  }
  return { firstLine, lines: replay() };
}

/**
 * The source that reads an input line by line, judged by its first line: the named source when
 * it reads lines and the line is its own or not JSON at all (its decoder then says what is wrong
 * with each line), otherwise the first line source that recognises it.
 */
export function lineSourceFor(firstLine: string, named: Source | undefined, sources: readonly Source[]): LineSource | undefined {
  if (named) return hasLines(named) && (named.lines.recognises(firstLine) || !startsLikeJson(firstLine)) ? named : undefined;
  return sources.filter(hasLines).find((source) => source.lines.recognises(firstLine));
}

/** Decodes an input's lines with one decoder, so records spanning lines are joined; a batch per chunk read. */
export async function* decodeLines(lines: AsyncIterable<LineOrOversize[]>, name: string, source: LineSource, context: DecodeContext): AsyncGenerator<ReadBatch> {
  const decoder = source.lines.open(context);
  for await (const items of lines) {
    const batch: ReadBatch = { events: [], quarantined: [] };
    const receivedAt = Date.now();
    for (const item of items) {
      const line = textLineOf(item, name);
      if (line === undefined) continue;
      if (line.ok) addDecoded(batch, decoder.decode(line.text, line.position), source, receivedAt);
      else batch.quarantined.push({ source: source.kind, position: line.position, reason: line.reason, sample: line.sample, receivedAt });
    }
    yield batch;
  }
  const rest: ReadBatch = { events: [], quarantined: [] };
  addDecoded(rest, decoder.end(), source, Date.now());
  if (rest.events.length > 0 || rest.quarantined.length > 0) yield rest;
}

/** Adds what a line decoder made of some lines to a batch; its rejections name their line in `where`. */
export function addDecoded(batch: ReadBatch, decoded: Decoded, source: Source, receivedAt: number): void {
  for (const event of decoded.events) batch.events.push(event);
  for (const rejection of decoded.rejections) {
    batch.quarantined.push({ source: source.kind, position: rejection.where, reason: rejection.reason, sample: rejection.text.slice(0, 4096), receivedAt });
  }
}

function firstReadable(items: readonly LineOrOversize[]): string | undefined {
  for (const item of items) {
    const line = textLineOf(item, '');
    if (line?.ok) return line.text;
  }
  return undefined;
}

function hasLines(source: Source): source is LineSource {
  return source.lines !== undefined;
}

function startsLikeJson(line: string): boolean {
  const first = line.trimStart()[0];
  return first === '{' || first === '[';
}
