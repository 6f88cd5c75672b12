import { describe, expect, it } from 'vitest';
import { EMPTY_ROOT, MerkleFrontier, leafHash, nodeHash } from './merkle.js';

/** Root by the RFC 9162 recursive definition, the reference the frontier must agree with. */
function referenceRoot(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return EMPTY_ROOT;
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}

describe('MerkleFrontier', () => {
  it('matches the recursive RFC 9162 root for every size up to 70', () => {
    const frontier = MerkleFrontier.empty();
    const leaves: Buffer[] = [];
    expect(frontier.root().equals(EMPTY_ROOT)).toBe(true);
    for (let i = 0; i < 70; i++) {
      const hash = leafHash(`leaf-${i}`);
      leaves.push(hash);
      frontier.append(hash);
      expect(frontier.root().toString('hex')).toBe(referenceRoot(leaves).toString('hex'));
    }
  });

  it('survives serialize/deserialize and rejects a corrupt frontier', () => {
    const frontier = MerkleFrontier.empty();
    for (let i = 0; i < 13; i++) frontier.append(leafHash(String(i)));
    const copy = MerkleFrontier.deserialize(frontier.serialize());
    expect(copy.size).toBe(13);
    expect(copy.root().equals(frontier.root())).toBe(true);
    expect(() => MerkleFrontier.deserialize(frontier.serialize().subarray(0, 40))).toThrow(/corrupt ledger frontier/);
  });

  it('names the perfect subtrees where two frontiers of one size differ', () => {
    const honest = MerkleFrontier.empty();
    const tampered = MerkleFrontier.empty();
    for (let i = 0; i < 13; i++) {
      honest.append(leafHash(String(i)));
      tampered.append(leafHash(i === 9 ? 'changed' : String(i)));
    }
    // 13 = 8 + 4 + 1: leaf 9 lies under the second peak, [8, 12).
    expect(tampered.differingRanges(honest)).toEqual([{ from: 8, to: 12 }]);
    expect(honest.differingRanges(honest.clone())).toEqual([]);
    expect(() => honest.differingRanges(MerkleFrontier.empty())).toThrow(/sizes 13 and 0/);
  });

  it('hashes the empty tree as SHA-256 of nothing', () => {
    expect(EMPTY_ROOT.toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});
