import type { VigilEvent } from '../model/event.js';
import type { QuarantineItem } from '../store/store.js';
import type { Input } from './input.js';
import { decodeLines, lineSourceFor, peekFirstLine } from './read-lines.js';
import { DEFAULT_LIMITS, type RawRecord, type ReadLimits, recordsFromLines, splitLines } from './records.js';
import { SOURCES, recogniseSource } from './registry.js';
import type { Source } from './source.js';

export interface ReadOptions {
  /** A fixed source, or undefined to recognise each record's source from its content. */
  source?: Source;
  cluster: string;
  limits?: ReadLimits;
}

/** What one chunk of input became: events to store and records to quarantine. */
export interface ReadBatch {
  events: VigilEvent[];
  quarantined: QuarantineItem[];
}

/**
 * Reads inputs in order and decodes every record into events, quarantining what cannot be read.
 * An input of text lines (CRI, syslog) is read line by line when its first line says so.
 */
export async function* readEvents(inputs: readonly Input[], options: ReadOptions): AsyncGenerator<ReadBatch> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  for (const input of inputs) {
    const { firstLine, lines } = await peekFirstLine(splitLines(await input.open(), limits.maxRecordBytes));
    const lineSource = firstLine === undefined ? undefined : lineSourceFor(firstLine, options.source, SOURCES);
    if (lineSource) {
      yield* decodeLines(lines, input.name, lineSource, { cluster: options.cluster, origin: input.name });
      continue;
    }
    for await (const records of recordsFromLines(lines, input.name, limits)) {
      yield decodeRecords(records, options, input.name);
    }
  }
}

/** @param origin the input the records come from (a file path, `stdin`), for sources that read identity from it. */
export function decodeRecords(records: readonly RawRecord[], options: ReadOptions, origin?: string): ReadBatch {
  const batch: ReadBatch = { events: [], quarantined: [] };
  const receivedAt = Date.now();
  const sourceName = options.source?.kind ?? 'auto';
  for (const record of records) {
    if (!record.ok) {
      batch.quarantined.push({ source: sourceName, position: record.position, reason: record.reason, sample: record.sample, receivedAt });
      continue;
    }
    const source = options.source ?? recogniseSource(record.value);
    if (!source) {
      batch.quarantined.push({ source: sourceName, position: record.position, reason: 'not a record of any known source (see vigil ingest --help for --source)', sample: record.text.slice(0, 4096), receivedAt });
      continue;
    }
    const decoded = source.decode(record.value, record.text, { cluster: options.cluster, origin });
    for (const event of decoded.events) batch.events.push(event);
    for (const rejection of decoded.rejections) {
      const position = rejection.where ? `${record.position} ${rejection.where}` : record.position;
      batch.quarantined.push({ source: source.kind, position, reason: rejection.reason, sample: rejection.text.slice(0, 4096), receivedAt });
    }
  }
  return batch;
}
