import { z } from 'zod';
import { ADMIN_SOURCE } from '../ledger/admin-record.js';
import type { VerifierKey } from '../ledger/checkpoint.js';
import { type ProofBundle, verifyProofBundle } from '../ledger/offline-verify.js';

/**
 * A run receipt (`runs/<seq>.json`): the ledger record of one `archive.move` (or `archive.expire`)
 * with its inclusion proof and the signed checkpoint, i.e. a `vigil proof` bundle. The record
 * lists the segments the run wrote (or removed by policy) with their digests, and the seq of the
 * previous run on the same archive, so deleting a segment, a manifest or a whole earlier run is
 * caught with nothing but the public key.
 */

export const RUN_FORMAT = 'vigil.archive-run/v1';
export const ARCHIVE_MOVE = 'archive.move';
export const ARCHIVE_RESTORE = 'archive.restore';
export const ARCHIVE_EXPIRE = 'archive.expire';

export function runReceiptName(seq: number): string {
  return `runs/${String(seq).padStart(12, '0')}.json`;
}

export interface DeclaredSegment {
  name: string;
  manifest: string;
  sha256: string;
  manifestSha256: string;
  events: number;
  firstSeq: number;
  lastSeq: number;
}

const declaredSegment = z.object({
  name: z.string(),
  manifest: z.string(),
  sha256: z.string(),
  manifestSha256: z.string(),
  events: z.number(),
  firstSeq: z.number(),
  lastSeq: z.number(),
});

const moveDetails = z.object({ segments: z.array(declaredSegment), previousRun: z.number().nullable(), rangesSha256: z.string(), removedRecords: z.number() });
const expireDetails = z.object({ segments: z.array(declaredSegment), previousRun: z.number().nullable() });

export interface RunReceipt {
  format: typeof RUN_FORMAT;
  action: string;
  bundle: ProofBundle;
}

export interface VerifiedRun {
  seq: number;
  action: typeof ARCHIVE_MOVE | typeof ARCHIVE_EXPIRE;
  /** A move: the segments it wrote; an expiry: the segments it removed by policy. */
  segments: DeclaredSegment[];
  previousRun: number | null;
  signedAt: string;
}

/** Checks a receipt with the public key; returns the run it proves or a reason it proves nothing. */
export function verifyRunReceipt(text: string, verifier: VerifierKey): VerifiedRun | { invalid: string } {
  let receipt: Partial<RunReceipt>;
  try {
    receipt = JSON.parse(text) as Partial<RunReceipt>;
  } catch (error) {
    return { invalid: `not JSON (${(error as Error).message})` };
  }
  if (receipt.format !== RUN_FORMAT) return { invalid: `not a ${RUN_FORMAT} receipt` };
  const verdict = verifyProofBundle(receipt.bundle, verifier);
  if (!verdict.valid) return { invalid: verdict.reason };
  const [source, , ...rest] = verdict.leaf.split('\n');
  if (source !== ADMIN_SOURCE) return { invalid: `the proven record is a ${source} record, not Vigil's own` };
  let record: { action?: unknown; details?: unknown };
  try {
    record = JSON.parse(rest.join('\n')) as typeof record;
  } catch {
    return { invalid: 'the proven record is not JSON' };
  }
  if (record.action === ARCHIVE_MOVE) {
    const details = moveDetails.safeParse(record.details);
    if (!details.success) return { invalid: `the ${ARCHIVE_MOVE} record lacks its segment list` };
    return { seq: verdict.leafIndex, action: ARCHIVE_MOVE, segments: details.data.segments, previousRun: details.data.previousRun, signedAt: verdict.signedAt };
  }
  if (record.action === ARCHIVE_EXPIRE) {
    const details = expireDetails.safeParse(record.details);
    if (!details.success) return { invalid: `the ${ARCHIVE_EXPIRE} record lacks its segment list` };
    return { seq: verdict.leafIndex, action: ARCHIVE_EXPIRE, segments: details.data.segments, previousRun: details.data.previousRun, signedAt: verdict.signedAt };
  }
  return { invalid: `the proven record is a ${String(record.action)} action, not an archive run` };
}
