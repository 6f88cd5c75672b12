import { z } from 'zod';
import { type VerifierKey, parseVerifierKey, verifyCheckpoint } from './checkpoint.js';
import { verifyConsistency } from './proofs.js';

/**
 * What `vigil proof --consistency OLD NEW` prints: the RFC 9162 proof that the log of OLD leaves
 * is a prefix of the log of NEW leaves, with the signed checkpoints of both sizes when the store
 * holds them. An auditor who kept an old checkpoint checks with it and the public key alone that
 * nothing before it was changed since.
 *
 * {
 *   "format": "vigil.consistency-proof/v1",
 *   "oldSize": 1000, "newSize": 1500,
 *   "consistencyProof": ["base64 SHA-256", ...],
 *   "oldCheckpoint": "vigil/…\n1000\n…" | null,
 *   "newCheckpoint": "vigil/…\n1500\n…"
 * }
 */

export const CONSISTENCY_BUNDLE_FORMAT = 'vigil.consistency-proof/v1';

const base64Hash = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'must be the base64 of a 32-byte SHA-256 hash');

const consistencyBundleSchema = z.strictObject({
  format: z.literal(CONSISTENCY_BUNDLE_FORMAT),
  oldSize: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  newSize: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  consistencyProof: z.array(base64Hash).max(128),
  oldCheckpoint: z.string().nullable(),
  newCheckpoint: z.string(),
});

export type ConsistencyBundle = z.infer<typeof consistencyBundleSchema>;

export type ConsistencyVerdict =
  | { valid: true; origin: string; oldSize: number; newSize: number; oldSignedAt: string; newSignedAt: string }
  | { valid: false; reason: string };

export function buildConsistencyBundle(oldSize: number, newSize: number, proof: readonly Buffer[], oldCheckpoint: string | null, newCheckpoint: string): ConsistencyBundle {
  return { format: CONSISTENCY_BUNDLE_FORMAT, oldSize, newSize, consistencyProof: proof.map((hash) => hash.toString('base64')), oldCheckpoint, newCheckpoint };
}

/**
 * Checks both checkpoints' signatures and the proof between their roots. `heldOldCheckpoint` is the
 * auditor's own copy of the old checkpoint and takes the place of the bundle's. Never throws.
 */
export function verifyConsistencyBundle(bundle: unknown, publicKey: VerifierKey | string, heldOldCheckpoint?: string): ConsistencyVerdict {
  const parsed = consistencyBundleSchema.safeParse(bundle);
  if (!parsed.success) return { valid: false, reason: `not a ${CONSISTENCY_BUNDLE_FORMAT} bundle: ${z.prettifyError(parsed.error)}` };
  const { oldSize, newSize, consistencyProof, oldCheckpoint, newCheckpoint } = parsed.data;
  const oldNote = heldOldCheckpoint ?? oldCheckpoint;
  if (oldNote === null) return { valid: false, reason: `the bundle carries no checkpoint of size ${oldSize}; pass the one you hold` };
  try {
    const verifier = typeof publicKey === 'string' ? parseVerifierKey(publicKey) : publicKey;
    const older = verifyCheckpoint(oldNote, verifier);
    const newer = verifyCheckpoint(newCheckpoint, verifier);
    if (older.size !== oldSize || newer.size !== newSize) {
      return { valid: false, reason: `the checkpoints are of sizes ${older.size} and ${newer.size}, but the proof is from ${oldSize} to ${newSize}` };
    }
    verifyConsistency(oldSize, newSize, consistencyProof.map((element) => Buffer.from(element, 'base64')), older.root, newer.root);
    return {
      valid: true,
      origin: newer.origin,
      oldSize,
      newSize,
      oldSignedAt: new Date(older.timestampMs).toISOString(),
      newSignedAt: new Date(newer.timestampMs).toISOString(),
    };
  } catch (error) {
    return { valid: false, reason: (error as Error).message };
  }
}
