import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signCheckpoint, verifierKeyText, verifyCheckpoint } from './checkpoint.js';
import { leafHash } from './merkle.js';
import { generateSigningKey, loadSigningKey, saveSigningKey } from './signing-key.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-key-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('signing key files', () => {
  it('saves PEM with mode 0600 and loads the same key back', async () => {
    const key = generateSigningKey('vigil/install-1');
    const path = join(dir, 'ledger.key');
    await saveSigningKey(path, key);
    expect((await stat(path)).mode & 0o777).toBe(0o600);

    const loaded = await loadSigningKey(path, 'vigil/install-1');
    expect(verifierKeyText(loaded)).toBe(verifierKeyText(key));
    const note = signCheckpoint({ origin: 'vigil/install-1', size: 1, root: leafHash(''), timestampMs: 0 }, loaded);
    expect(verifyCheckpoint(note, key).size).toBe(1);
  });

  it('never overwrites an existing key', async () => {
    const path = join(dir, 'ledger.key');
    await saveSigningKey(path, generateSigningKey('vigil/a'));
    await expect(saveSigningKey(path, generateSigningKey('vigil/a'))).rejects.toThrow(/already exists; refusing to overwrite/);
  });

  it('explains a missing file, a non-key file and a key of the wrong type', async () => {
    await expect(loadSigningKey(join(dir, 'absent.key'), 'vigil/a')).rejects.toThrow(/cannot read signing key .*absent\.key/);
    await writeFile(join(dir, 'junk.key'), 'not a key');
    await expect(loadSigningKey(join(dir, 'junk.key'), 'vigil/a')).rejects.toThrow(/is not a PEM private key/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    await writeFile(join(dir, 'rsa.key'), rsa);
    await expect(loadSigningKey(join(dir, 'rsa.key'), 'vigil/a')).rejects.toThrow(/is a rsa key; Vigil signs checkpoints with Ed25519/);
  });

  it('rejects a key name the note format cannot carry', () => {
    expect(() => generateSigningKey('vigil/has space')).toThrow(/without spaces or '\+'/);
  });
});
