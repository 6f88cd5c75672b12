import { z } from 'zod';
import type { ArchiveTarget } from './target.js';

/**
 * `index.json` at the archive root: every segment with its time and leaf span, and every run
 * receipt. Readers use it to pick segments by time without opening every manifest. It is not
 * signed; `vigil archive verify` checks it against the signed run receipts and manifests.
 */

export const INDEX_NAME = 'index.json';
export const INDEX_FORMAT = 'vigil.archive-index/v1';

const entry = z.strictObject({
  name: z.string(),
  manifest: z.string(),
  day: z.string(),
  fromMs: z.number(),
  toMs: z.number(),
  events: z.number().int().nonnegative(),
  firstSeq: z.number().int().nonnegative(),
  lastSeq: z.number().int().nonnegative(),
  sha256: z.string(),
  manifestSha256: z.string(),
  /** Seq of the archive.move record that declared the segment. */
  run: z.number().int().nonnegative(),
});

const run = z.strictObject({ seq: z.number().int().nonnegative(), action: z.string(), receipt: z.string() });

const indexSchema = z.strictObject({ format: z.literal(INDEX_FORMAT), origin: z.string(), segments: z.array(entry), runs: z.array(run) });

export type ArchiveIndex = z.infer<typeof indexSchema>;
export type IndexEntry = z.infer<typeof entry>;
export type IndexRun = z.infer<typeof run>;

export class ArchiveIndexError extends Error {
  override name = 'ArchiveIndexError';
}

/** The index, or undefined when the archive has none yet. */
export async function readArchiveIndex(target: ArchiveTarget): Promise<ArchiveIndex | undefined> {
  const text = await target.readText(INDEX_NAME);
  if (text === undefined) return undefined;
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new ArchiveIndexError(`${target.location}/${INDEX_NAME} is not JSON (${(error as Error).message})`);
  }
  const parsed = indexSchema.safeParse(document);
  if (!parsed.success) throw new ArchiveIndexError(`${target.location}/${INDEX_NAME} is not a ${INDEX_FORMAT} index: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export async function writeArchiveIndex(target: ArchiveTarget, index: ArchiveIndex): Promise<void> {
  const sorted = { ...index, segments: [...index.segments].sort((a, b) => a.fromMs - b.fromMs || a.firstSeq - b.firstSeq), runs: [...index.runs].sort((a, b) => a.seq - b.seq) };
  await target.putText(INDEX_NAME, `${JSON.stringify(sorted, null, 1)}\n`);
}
