import { z } from 'zod';
import { type VerifierKey, parseVerifierKey, verifyCheckpoint } from './checkpoint.js';
import { leafHash } from './merkle.js';
import { verifyInclusion } from './proofs.js';

/**
 * What `vigil proof EVENT_ID` prints, and the check an auditor runs on it with nothing but the
 * log's public key (its verifier key text): no store, no network.
 *
 * {
 *   "format": "vigil.inclusion-proof/v1",
 *   "leafIndex": 41,
 *   "leaf": "k8s.audit\nprod-eu\n{\"kind\":\"Event\",...}",      exact bytes hashed into the leaf (UTF-8)
 *   "inclusionProof": ["base64 SHA-256", ...],                    RFC 9162 audit path, leaf to root
 *   "checkpoint": "vigil/…\n1000\n<base64 root>\ntime …\n\n— vigil/… …\n"
 * }
 */

export const PROOF_BUNDLE_FORMAT = 'vigil.inclusion-proof/v1';

const base64Hash = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'must be the base64 of a 32-byte SHA-256 hash');

const proofBundleSchema = z.strictObject({
  format: z.literal(PROOF_BUNDLE_FORMAT),
  leafIndex: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  leaf: z.string(),
  inclusionProof: z.array(base64Hash).max(64),
  checkpoint: z.string(),
});

export type ProofBundle = z.infer<typeof proofBundleSchema>;

export type ProofVerdict =
  | { valid: true; origin: string; treeSize: number; leafIndex: number; signedAt: string; leafHash: string; leaf: string }
  | { valid: false; reason: string };

export function buildProofBundle(leaf: string, leafIndex: number, inclusionProof: readonly Buffer[], checkpoint: string): ProofBundle {
  return { format: PROOF_BUNDLE_FORMAT, leafIndex, leaf, inclusionProof: inclusionProof.map((hash) => hash.toString('base64')), checkpoint };
}

/**
 * Checks a bundle end to end: the checkpoint is signed by `publicKey`, the leaf hashes to what the
 * proof starts from, and the proof leads from that leaf to the signed root. Never throws; an
 * invalid bundle or key yields `valid: false` with the reason.
 */
export function verifyProofBundle(bundle: unknown, publicKey: VerifierKey | string): ProofVerdict {
  const parsed = proofBundleSchema.safeParse(bundle);
  if (!parsed.success) return { valid: false, reason: `not a ${PROOF_BUNDLE_FORMAT} bundle: ${z.prettifyError(parsed.error)}` };
  const { leafIndex, leaf, inclusionProof, checkpoint } = parsed.data;
  try {
    const verifier = typeof publicKey === 'string' ? parseVerifierKey(publicKey) : publicKey;
    const head = verifyCheckpoint(checkpoint, verifier);
    const hash = leafHash(Buffer.from(leaf, 'utf8'));
    verifyInclusion(leafIndex, head.size, hash, inclusionProof.map((element) => Buffer.from(element, 'base64')), head.root);
    return {
      valid: true,
      origin: head.origin,
      treeSize: head.size,
      leafIndex,
      signedAt: new Date(head.timestampMs).toISOString(),
      leafHash: hash.toString('hex'),
      leaf,
    };
  } catch (error) {
    return { valid: false, reason: (error as Error).message };
  }
}
