import { createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type Checkpoint,
  CheckpointFormatError,
  CheckpointSignatureError,
  logOrigin,
  noteKeyId,
  parseCheckpoint,
  parseVerifierKey,
  signCheckpoint,
  verifierKeyText,
  verifyCheckpoint,
} from './checkpoint.js';
import { leafHash } from './merkle.js';
import { generateSigningKey } from './signing-key.js';

const origin = logOrigin('7f3a9c2e41d05b88');
const key = generateSigningKey(origin);
const checkpoint: Checkpoint = { origin, size: 1234, root: leafHash('root'), timestampMs: Date.UTC(2026, 6, 23, 10, 0, 0, 123) };

describe('checkpoint note format', () => {
  it('writes origin, size, base64 root, time line, blank line, one em-dash signature line', () => {
    const note = signCheckpoint(checkpoint, key);
    const lines = note.split('\n');
    expect(lines.slice(0, 5)).toEqual([origin, '1234', checkpoint.root.toString('base64'), 'time 2026-07-23T10:00:00.123Z', '']);
    expect(lines[5]).toMatch(new RegExp(`^\u2014 vigil/7f3a9c2e41d05b88 [A-Za-z0-9+/]+=*$`));
    expect(lines[6]).toBe('');
    const signature = Buffer.from(lines[5].split(' ')[2], 'base64');
    expect(signature).toHaveLength(4 + 64);
    expect(signature.subarray(0, 4).equals(key.keyId)).toBe(true);
  });

  it('round-trips through parse and verify', () => {
    const parsed = verifyCheckpoint(signCheckpoint(checkpoint, key), key);
    expect(parsed).toMatchObject({ origin, size: 1234, timestampMs: checkpoint.timestampMs });
    expect(parsed.root.equals(checkpoint.root)).toBe(true);
  });

  it('accepts an empty tree', () => {
    const empty = { ...checkpoint, size: 0, root: Buffer.from('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'hex') };
    expect(verifyCheckpoint(signCheckpoint(empty, key), key).size).toBe(0);
  });

  it.each([
    ['missing time line', (n: string) => n.replace(/time .*\n/, ''), /line 4: a Vigil checkpoint has four lines/],
    ['leading zero in size', (n: string) => n.replace('\n1234\n', '\n01234\n'), /line 2: tree size "01234"/],
    ['short root', (n: string) => n.replace(checkpoint.root.toString('base64'), 'AAAA'), /line 3: root hash "AAAA"/],
    ['non-canonical base64 root', (n: string) => n.replace(checkpoint.root.toString('base64'), checkpoint.root.toString('base64').replace(/=$/, '')), /line 3/],
    ['time without milliseconds', (n: string) => n.replace('10:00:00.123Z', '10:00:00Z'), /line 4: expected "time/],
    ['impossible date', (n: string) => n.replace('2026-07-23', '2026-02-30'), /line 4/],
    ['unknown extension line', (n: string) => n.replace(/(time .*\n)/, '$1note hello\n'), /line 5: unexpected line "note hello"/],
    ['CRLF line ends', (n: string) => n.replaceAll('\n', '\r\n'), /line 1: control characters/],
    ['space in origin', (n: string) => n.replace(origin, 'vigil/a b'), /line 1: origin/],
    ['no trailing newline', (n: string) => n.slice(0, -1), /must end with a newline/],
    ['no signature block', (n: string) => n.slice(0, n.indexOf('\n\n') + 1), /no blank line/],
    ['signature line without em dash', (n: string) => n.replace('\u2014 ', '- '), /line 6: expected a signature line/],
  ])('rejects %s, naming the line', (_case, mutate, message) => {
    const note = mutate(signCheckpoint(checkpoint, key));
    expect(() => parseCheckpoint(note)).toThrow(CheckpointFormatError);
    expect(() => parseCheckpoint(note)).toThrow(message);
  });

  it('rejects bytes that are not UTF-8', () => {
    const bytes = Buffer.concat([Buffer.from(signCheckpoint(checkpoint, key)), Buffer.from([0xff])]);
    expect(() => parseCheckpoint(bytes)).toThrow(/not valid UTF-8/);
  });
});

describe('checkpoint signatures', () => {
  it('rejects an altered size, root or time', () => {
    const note = signCheckpoint(checkpoint, key);
    for (const altered of [note.replace('\n1234\n', '\n1235\n'), note.replace('.123Z', '.124Z')]) {
      expect(() => verifyCheckpoint(altered, key)).toThrow(/does not verify: the text or the signature was altered/);
    }
  });

  it('rejects a checkpoint signed by another key of the same name', () => {
    const impostor = generateSigningKey(origin);
    expect(() => verifyCheckpoint(signCheckpoint(checkpoint, impostor), key)).toThrow(CheckpointSignatureError);
    expect(() => verifyCheckpoint(signCheckpoint(checkpoint, impostor), key)).toThrow(/carries no signature by vigil\/7f3a9c2e41d05b88\+/);
  });

  it('ignores signatures by unknown keys, such as a witness cosignature', () => {
    const note = signCheckpoint(checkpoint, key);
    const witness = generateSigningKey('witness.example/w1');
    const cosignature = sign(null, Buffer.from(parseCheckpoint(note).body), witness.privateKey);
    const cosigned = `${note}\u2014 witness.example/w1 ${Buffer.concat([witness.keyId, cosignature]).toString('base64')}\n`;
    expect(verifyCheckpoint(cosigned, key).signatures).toHaveLength(2);
  });

  it('rejects a checkpoint of another origin signed by this key', () => {
    const other = generateSigningKey('vigil/other');
    const reused = { ...other, privateKey: key.privateKey, publicKey: key.publicKey, keyId: noteKeyId('vigil/other', key.publicKey) };
    const note = signCheckpoint({ ...checkpoint, origin: 'vigil/other' }, reused);
    expect(() => verifyCheckpoint(note, { ...key, name: 'vigil/other', keyId: reused.keyId })).not.toThrow();
    expect(() => verifyCheckpoint(note, key)).toThrow(/no signature by/);
  });

  it('refuses to sign under a name other than the origin', () => {
    expect(() => signCheckpoint({ ...checkpoint, origin: 'vigil/other' }, key)).toThrow(/a log signs under its own name/);
  });
});

describe('verifier keys (signed-note format)', () => {
  it('round-trips name+keyid+base64(0x01||key)', () => {
    const text = verifierKeyText(key);
    const [name, keyIdHex, typedKey] = text.split('+', 2).concat(text.slice(text.indexOf('+', text.indexOf('+') + 1) + 1));
    expect([name, keyIdHex]).toEqual([origin, key.keyId.toString('hex')]);
    expect(Buffer.from(typedKey, 'base64')).toHaveLength(33);
    expect(Buffer.from(typedKey, 'base64')[0]).toBe(0x01);
    const parsed = parseVerifierKey(text);
    expect(parsed.keyId.equals(key.keyId)).toBe(true);
    expect(verifyCheckpoint(signCheckpoint(checkpoint, key), parsed).size).toBe(1234);
  });

  it('rejects a key ID that does not match the key', () => {
    const text = verifierKeyText(key).replace(/\+[0-9a-f]{8}\+/, '+00000000+');
    expect(() => parseVerifierKey(text)).toThrow(/does not match its key/);
    expect(() => parseVerifierKey('no-plus-signs')).toThrow(/<name>\+<8 hex digits>\+<base64 key>/);
  });

  // golang.org/x/mod/sumdb/note's documented example key and signature: matching it byte for byte
  // shows the key ID, the verifier key text and the Ed25519 note signature are the Go ecosystem's.
  it('agrees with the Go sumdb/note PeterNeumann example', () => {
    const vkey = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
    const seed = Buffer.from('AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz', 'base64').subarray(1);
    const privateKey = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8' });
    const publicKey = createPublicKey(privateKey);
    expect(noteKeyId('PeterNeumann', publicKey).toString('hex')).toBe('c74f20a3');
    expect(verifierKeyText({ name: 'PeterNeumann', keyId: noteKeyId('PeterNeumann', publicKey), publicKey })).toBe(vkey);
    const text = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
    const signed = Buffer.concat([parseVerifierKey(vkey).keyId, sign(null, Buffer.from(text), privateKey)]).toString('base64');
    expect(signed).toBe('x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=');
  });
});
