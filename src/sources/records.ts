import type { Readable } from 'node:stream';
import { TextDecoder } from 'node:util';

/** One raw record read from an input: parsed JSON, or the reason it could not be read. */
export type RawRecord =
  | { ok: true; value: unknown; text: string; position: string }
  | { ok: false; reason: string; sample: string; position: string };

export interface ReadLimits {
  /** Records larger than this are quarantined, not parsed. */
  maxRecordBytes: number;
  /** A pretty-printed (non line-delimited) input is read whole; larger ones are refused. */
  maxDocumentBytes: number;
}

export const DEFAULT_LIMITS: ReadLimits = { maxRecordBytes: 1 << 20, maxDocumentBytes: 512 << 20 };

/** How much of a bad record the quarantine keeps. */
const SAMPLE_BYTES = 4096;
/** Lines read before deciding between JSON lines and a pretty-printed document. */
const SNIFF_LINES = 2;
const NEWLINE = 0x0a;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Splits an input into JSON records, in batches (one per chunk read) to keep per-record
 * overhead off the hot path. JSON lines are the fast path; a pretty-printed object, a
 * sequence of objects or a JSON array is recognised by its first lines and scanned value by value.
 */
export async function* readRecords(stream: Readable, name: string, limits: ReadLimits = DEFAULT_LIMITS): AsyncGenerator<RawRecord[]> {
  yield* recordsFromLines(splitLines(stream, limits.maxRecordBytes), name, limits);
}

/** `readRecords` over lines already split (and perhaps peeked at) by `splitLines`. */
export async function* recordsFromLines(lines: AsyncGenerator<LineOrOversize[]>, name: string, limits: ReadLimits): AsyncGenerator<RawRecord[]> {
  const sniffed: LineOrOversize[] = [];
  const firstLines: Buffer[] = [];
  // Pulled by hand: leaving a for-await early would close the generator and lose the rest.
  while (firstLines.length < SNIFF_LINES) {
    const next = await lines.next();
    if (next.done) break;
    sniffed.push(...next.value);
    for (const item of next.value) if (item.kind === 'line' && !isBlank(item.bytes)) firstLines.push(item.bytes);
  }
  if (firstLines.length === 0 || looksLikeJsonLines(firstLines)) {
    yield toRecords(sniffed, name);
    for await (const batch of lines) yield toRecords(batch, name);
    return;
  }
  yield* readDocument(sniffed, lines, name, limits);
}

/**
 * A pretty-printed document starts with a line that is only `{` or `[`, and its second line is a
 * `"key": value` member; in JSON lines one of the first two lines is a whole object (two, so
 * that one corrupt first line does not turn a log file into a document).
 */
function looksLikeJsonLines(firstLines: readonly Buffer[]): boolean {
  if (firstLines[0].toString('utf8').trimStart().startsWith('[')) return false;
  return firstLines.slice(0, 2).some(parsesAlone);
}

export type LineOrOversize =
  | { kind: 'line'; bytes: Buffer; lineNumber: number }
  | { kind: 'oversize'; sample: Buffer; size: number; lineNumber: number };

/** Splits a byte stream into lines, in batches per chunk read; a line longer than `maxBytes` becomes an `oversize` sample. */
export async function* splitLines(stream: Readable, maxBytes: number): AsyncGenerator<LineOrOversize[]> {
  let carry: Buffer | undefined;
  let lineNumber = 0;
  let oversize: { sample: Buffer; size: number; lineNumber: number } | undefined;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const out: LineOrOversize[] = [];
    const buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    let start = 0;
    for (let end = buffer.indexOf(NEWLINE, start); end !== -1; end = buffer.indexOf(NEWLINE, start)) {
      lineNumber += 1;
      if (oversize) {
        oversize.size += end - start;
        out.push({ kind: 'oversize', ...oversize });
        oversize = undefined;
      } else if (end - start > maxBytes) {
        out.push({ kind: 'oversize', sample: buffer.subarray(start, start + SAMPLE_BYTES), size: end - start, lineNumber });
      } else {
        out.push({ kind: 'line', bytes: buffer.subarray(start, end), lineNumber });
      }
      start = end + 1;
    }
    carry = buffer.subarray(start);
    if (oversize) {
      oversize.size += carry.length;
      carry = undefined;
    } else if (carry.length > maxBytes) {
      // Keep only a sample of a record that is already too large instead of buffering it whole.
      oversize = { sample: Buffer.from(carry.subarray(0, SAMPLE_BYTES)), size: carry.length, lineNumber: lineNumber + 1 };
      carry = undefined;
    }
    if (out.length > 0) yield out;
  }
  if (oversize) yield [{ kind: 'oversize', ...oversize }];
  else if (carry && carry.length > 0) yield [{ kind: 'line', bytes: carry, lineNumber: lineNumber + 1 }];
}

/** Blank lines separate records; they are not records themselves. */
function toRecords(items: readonly LineOrOversize[], name: string): RawRecord[] {
  const records: RawRecord[] = [];
  for (const item of items) if (item.kind === 'oversize' || !isBlank(item.bytes)) records.push(toRecord(item, name));
  return records;
}

function toRecord(item: LineOrOversize, name: string): RawRecord {
  const line = toTextLine(item, name);
  return line.ok ? parseRecord(line.text, line.position) : line;
}

/** One line of a text input, or why it cannot be read (oversize, invalid UTF-8). */
export type TextLine = { ok: true; text: string; position: string } | { ok: false; reason: string; sample: string; position: string };

/** A split line as text without its line ending; undefined for a blank line, which separates records. */
export function textLineOf(item: LineOrOversize, name: string): TextLine | undefined {
  return item.kind === 'oversize' || !isBlank(item.bytes) ? toTextLine(item, name) : undefined;
}

function toTextLine(item: LineOrOversize, name: string): TextLine {
  const position = `${name}:${item.lineNumber}`;
  if (item.kind === 'oversize') {
    return { ok: false, reason: `record of ${item.size} bytes exceeds the limit (--max-record-bytes)`, sample: item.sample.toString('utf8'), position };
  }
  let bytes = item.bytes;
  if (bytes.length > 0 && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, bytes.length - 1);
  const text = bytes.toString('utf8');
  if (text.includes('\uFFFD') && !isValidUtf8(bytes)) {
    return { ok: false, reason: 'invalid UTF-8', sample: text.slice(0, SAMPLE_BYTES), position };
  }
  return { ok: true, text, position };
}

function parseRecord(text: string, position: string): RawRecord {
  try {
    return { ok: true, value: JSON.parse(text), text, position };
  } catch (error) {
    return { ok: false, reason: `malformed JSON: ${(error as Error).message}`, sample: text.slice(0, SAMPLE_BYTES), position };
  }
}

async function* readDocument(
  sniffed: LineOrOversize[],
  rest: AsyncGenerator<LineOrOversize[]>,
  name: string,
  limits: ReadLimits,
): AsyncGenerator<RawRecord[]> {
  const parts: Buffer[] = [];
  let size = 0;
  const add = (item: LineOrOversize) => {
    if (item.kind === 'oversize') throw new Error(`${name}:${item.lineNumber}: a line of ${item.size} bytes in a pretty-printed JSON document; raise --max-record-bytes or convert the file to JSON lines`);
    parts.push(item.bytes, Buffer.from('\n'));
    size += item.bytes.length + 1;
    if (size > limits.maxDocumentBytes) {
      throw new Error(`${name}: pretty-printed JSON input is larger than ${limits.maxDocumentBytes} bytes; convert it to JSON lines (jq -c) to stream it`);
    }
  };
  sniffed.forEach(add);
  for await (const batch of rest) batch.forEach(add);
  const bytes = Buffer.concat(parts);
  const text = bytes.toString('utf8');
  const invalidUtf8 = text.includes('\uFFFD') && !isValidUtf8(bytes);
  yield scanValues(text, name, limits.maxRecordBytes, invalidUtf8);
}

/**
 * Finds top-level JSON values by bracket depth (string-aware), so one broken value is
 * quarantined on its own and its neighbours are still read. A top-level array is unwrapped.
 */
export function scanValues(text: string, name: string, maxRecordBytes: number, invalidUtf8 = false): RawRecord[] {
  const out: RawRecord[] = [];
  const lineAt = lineCounter(text);
  let index = skipSeparators(text, 0);
  let arrayDepth = 0;
  if (text[index] === '[') {
    arrayDepth = 1;
    index = skipSeparators(text, index + 1);
  }
  while (index < text.length) {
    const position = `${name}:${lineAt(index)}`;
    const char = text[index];
    if (arrayDepth === 1 && char === ']') {
      index = skipSeparators(text, index + 1);
      arrayDepth = 0;
      continue;
    }
    if (char !== '{' && char !== '[') {
      const next = nextLineStartingValue(text, index);
      out.push({ ok: false, reason: `unexpected text outside a JSON value`, sample: text.slice(index, Math.min(next, index + SAMPLE_BYTES)), position });
      index = next;
      continue;
    }
    const end = matchingEnd(text, index);
    if (end === -1) {
      out.push({ ok: false, reason: 'truncated JSON value: input ends before its closing bracket', sample: text.slice(index, index + SAMPLE_BYTES), position });
      break;
    }
    const valueText = text.slice(index, end + 1);
    if (Buffer.byteLength(valueText) > maxRecordBytes) {
      out.push({ ok: false, reason: `record of ${Buffer.byteLength(valueText)} bytes exceeds the limit (--max-record-bytes)`, sample: valueText.slice(0, SAMPLE_BYTES), position });
    } else if (invalidUtf8 && valueText.includes('\uFFFD')) {
      out.push({ ok: false, reason: 'invalid UTF-8', sample: valueText.slice(0, SAMPLE_BYTES), position });
    } else {
      out.push(parseRecord(valueText, position));
    }
    index = skipSeparators(text, end + 1);
  }
  return out;
}

function matchingEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function skipSeparators(text: string, from: number): number {
  let i = from;
  while (i < text.length && /[\s,]/.test(text[i])) i++;
  return i;
}

function nextLineStartingValue(text: string, from: number): number {
  const match = /\n\s*[[{]/g;
  match.lastIndex = from;
  const found = match.exec(text);
  return found ? found.index + 1 : text.length;
}

/** Line number of an offset; offsets are asked in increasing order, so it counts incrementally. */
function lineCounter(text: string): (offset: number) => number {
  let line = 1;
  let at = 0;
  return (offset) => {
    for (; at < offset; at++) if (text.charCodeAt(at) === NEWLINE) line++;
    return line;
  };
}

function isBlank(bytes: Buffer): boolean {
  for (const byte of bytes) if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) return false;
  return true;
}

function parsesAlone(bytes: Buffer): boolean {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return value !== null && typeof value === 'object';
  } catch {
    return false;
  }
}

function isValidUtf8(bytes: Buffer): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}
