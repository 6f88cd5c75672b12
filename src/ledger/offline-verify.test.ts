import { describe, expect, it } from 'vitest';
import { type SigningKey, signCheckpoint, verifierKeyText } from './checkpoint.js';
import { leafHash } from './merkle.js';
import { type ProofBundle, buildProofBundle, verifyProofBundle } from './offline-verify.js';
import { ProofGenerator } from './proofs.js';
import { generateSigningKey } from './signing-key.js';

const ORIGIN = 'vigil/offline-test';
const key = generateSigningKey(ORIGIN);
const leaves = Array.from({ length: 37 }, (_, i) => `k8s.audit\nprod-eu\n{"kind":"Event","auditID":"a-${i}","verb":"delete"}`);
const generator = new ProofGenerator({ readLeafHashes: (from, to) => leaves.slice(from, to).map((leaf) => leafHash(leaf)) });

async function bundleFor(index: number, signer: SigningKey = key): Promise<ProofBundle> {
  const size = leaves.length;
  const checkpoint = signCheckpoint({ origin: ORIGIN, size, root: await generator.root(size), timestampMs: Date.UTC(2026, 0, 2, 3, 4, 5, 6) }, signer);
  return buildProofBundle(leaves[index], index, await generator.inclusionProof(index, size), checkpoint);
}

/** What the auditor receives: printed JSON, read back. */
const asPrinted = (bundle: ProofBundle): unknown => JSON.parse(JSON.stringify(bundle, null, 2));

describe('verifyProofBundle', () => {
  it('accepts a printed bundle with nothing but the verifier key text', async () => {
    const verdict = verifyProofBundle(asPrinted(await bundleFor(21)), verifierKeyText(key));
    expect(verdict).toEqual({
      valid: true,
      origin: ORIGIN,
      treeSize: 37,
      leafIndex: 21,
      signedAt: '2026-01-02T03:04:05.006Z',
      leafHash: leafHash(leaves[21]).toString('hex'),
      leaf: leaves[21],
    });
  });

  it.each([
    ['an altered record', (b: ProofBundle) => ({ ...b, leaf: b.leaf.replace('delete', 'get') }), /does not lead to the given root/],
    ['another leaf index', (b: ProofBundle) => ({ ...b, leafIndex: 20 }), /does not lead to the given root/],
    ['an index outside the tree', (b: ProofBundle) => ({ ...b, leafIndex: 37 }), /outside a tree of size 37/],
    ['an altered proof element', (b: ProofBundle) => ({ ...b, inclusionProof: [Buffer.alloc(32).toString('base64'), ...b.inclusionProof.slice(1)] }), /does not lead/],
    ['a dropped proof element', (b: ProofBundle) => ({ ...b, inclusionProof: b.inclusionProof.slice(1) }), /too few elements/],
    ['a checkpoint with an altered size', (b: ProofBundle) => ({ ...b, checkpoint: b.checkpoint.replace('\n37\n', '\n38\n') }), /does not verify/],
    ['another format', (b: ProofBundle) => ({ ...b, format: 'vigil.inclusion-proof/v2' }), /not a vigil.inclusion-proof\/v1 bundle/],
    ['an unknown field', (b: ProofBundle) => ({ ...b, treeSize: 37 }), /not a vigil.inclusion-proof\/v1 bundle/],
    ['a proof element in hex', (b: ProofBundle) => ({ ...b, inclusionProof: ['00'.repeat(32)] }), /base64 of a 32-byte SHA-256 hash/],
  ])('rejects %s', async (_case, tamper, reason) => {
    const verdict = verifyProofBundle(asPrinted(tamper(await bundleFor(21)) as ProofBundle), verifierKeyText(key));
    expect(verdict.valid).toBe(false);
    expect(verdict.valid ? '' : verdict.reason).toMatch(reason);
  });

  it('rejects a bundle whose checkpoint another key signed, and a malformed key', async () => {
    const forged = await bundleFor(3, generateSigningKey(ORIGIN));
    expect(verifyProofBundle(forged, key)).toMatchObject({ valid: false, reason: expect.stringMatching(/carries no signature by/) });
    expect(verifyProofBundle(await bundleFor(3), 'not-a-key')).toMatchObject({ valid: false, reason: expect.stringMatching(/verifier key must look like/) });
    expect(verifyProofBundle(null, key)).toMatchObject({ valid: false });
  });

  it('verifies the first and the last leaf and a one-leaf log', async () => {
    expect(verifyProofBundle(await bundleFor(0), key).valid).toBe(true);
    expect(verifyProofBundle(await bundleFor(36), key).valid).toBe(true);
    const single = signCheckpoint({ origin: ORIGIN, size: 1, root: leafHash(leaves[0]), timestampMs: 0 }, key);
    expect(verifyProofBundle(buildProofBundle(leaves[0], 0, [], single), key).valid).toBe(true);
  });
});
