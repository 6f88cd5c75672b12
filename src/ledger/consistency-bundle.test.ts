import { describe, expect, it } from 'vitest';
import { signCheckpoint, verifierKeyText } from './checkpoint.js';
import { buildConsistencyBundle, verifyConsistencyBundle } from './consistency-bundle.js';
import { leafHash } from './merkle.js';
import { ProofGenerator } from './proofs.js';
import { generateSigningKey } from './signing-key.js';

const key = generateSigningKey('vigil/bundle-test');
const hashes = Array.from({ length: 300 }, (_, i) => leafHash(`record ${i}`));
const generator = new ProofGenerator({ readLeafHashes: (from, to) => hashes.slice(from, to) });

async function checkpointAt(size: number): Promise<string> {
  return signCheckpoint({ origin: key.name, size, root: await generator.root(size), timestampMs: 1_700_000_000_000 + size }, key);
}

describe('consistency bundles', () => {
  it('verify with only the public key, with the old checkpoint from the bundle or the one the auditor kept', async () => {
    const [old, now] = [await checkpointAt(123), await checkpointAt(300)];
    const bundle = JSON.parse(JSON.stringify(buildConsistencyBundle(123, 300, await generator.consistencyProof(123, 300), old, now)));
    expect(verifyConsistencyBundle(bundle, verifierKeyText(key))).toMatchObject({ valid: true, origin: key.name, oldSize: 123, newSize: 300 });
    expect(verifyConsistencyBundle({ ...bundle, oldCheckpoint: null }, key, old)).toMatchObject({ valid: true });
    expect(verifyConsistencyBundle({ ...bundle, oldCheckpoint: null }, key)).toMatchObject({ valid: false, reason: expect.stringMatching(/pass the one you hold/) });
  });

  it('fail for a rewritten history, a checkpoint of another size and a foreign key', async () => {
    const now = await checkpointAt(300);
    const proof = await generator.consistencyProof(123, 300);
    const rewritten = signCheckpoint({ origin: key.name, size: 123, root: leafHash('another history'), timestampMs: 0 }, key);
    expect(verifyConsistencyBundle(buildConsistencyBundle(123, 300, proof, rewritten, now), key)).toMatchObject({ valid: false, reason: expect.stringMatching(/does not reproduce the root of size 123/) });
    expect(verifyConsistencyBundle(buildConsistencyBundle(123, 300, proof, await checkpointAt(122), now), key)).toMatchObject({ valid: false, reason: expect.stringMatching(/sizes 122 and 300/) });
    const other = generateSigningKey('vigil/bundle-test');
    expect(verifyConsistencyBundle(buildConsistencyBundle(123, 300, proof, await checkpointAt(123), now), other)).toMatchObject({ valid: false, reason: expect.stringMatching(/no signature by/) });
  });
});
