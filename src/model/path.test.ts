import { describe, expect, it } from 'vitest';
import { compilePathReader, readPath } from './path.js';

const record = {
  objectRef: { resource: 'pods', namespace: 'shop' },
  requestObject: { spec: { containers: [{ image: 'a', securityContext: { privileged: true } }, { image: 'b' }] } },
};

describe('readPath', () => {
  it('reads plain paths, fans out over [*] and over arrays crossed without an index, and picks [N]', () => {
    expect(readPath(record, 'objectRef.resource')).toEqual(['pods']);
    expect(readPath(record, 'requestObject.spec.containers[*].image')).toEqual(['a', 'b']);
    expect(readPath(record, 'requestObject.spec.containers.image')).toEqual(['a', 'b']);
    expect(readPath(record, 'requestObject.spec.containers[1].image')).toEqual(['b']);
    expect(readPath(record, 'requestObject.spec.containers[*].securityContext.privileged')).toEqual([true]);
    expect(readPath(record, 'objectRef.missing')).toEqual([]);
  });

  it('rejects a bracket that holds neither a number nor *', () => {
    expect(() => readPath(record, 'a[x]')).toThrow(/bracket "\[x\]" must hold a number or \*/);
  });
});

describe('compilePathReader', () => {
  it('gives a plain path its single value and falls back to all values across arrays', () => {
    expect(compilePathReader('objectRef.namespace')(record)).toBe('shop');
    expect(compilePathReader('objectRef.namespace.deeper')(record)).toBeUndefined();
    expect(compilePathReader('requestObject.spec.containers.image')(record)).toEqual(['a', 'b']);
    expect(compilePathReader('requestObject.spec.containers[0].image')(record)).toEqual(['a']);
    expect(compilePathReader('nothing.here')(null)).toBeUndefined();
  });
});
