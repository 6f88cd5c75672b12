import { type KeyObject, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { type SigningKey, noteKeyId, requireKeyName } from './checkpoint.js';

/**
 * The log's Ed25519 signing key. The file holds only the key (PKCS#8 PEM, mode 0600); its name is
 * the log's origin, which the caller knows from the data directory, so the same file can be moved
 * with `--signing-key FILE` without editing it.
 */

export function generateSigningKey(name: string): SigningKey {
  requireKeyName('signing key name', name);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { name, privateKey, publicKey, keyId: noteKeyId(name, publicKey) };
}

/** Writes the private key as PEM readable by the owner only; never replaces an existing file. */
export async function saveSigningKey(path: string, key: SigningKey): Promise<void> {
  const pem = key.privateKey.export({ type: 'pkcs8', format: 'pem' });
  try {
    await writeFile(path, pem, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new Error(`signing key ${path} already exists; refusing to overwrite it (checkpoints signed with it could no longer be verified)`);
    }
    throw error;
  }
  // The umask can only clear bits, but a pre-set ACL or odd umask should not leave it readable.
  await chmod(path, 0o600);
}

export async function loadSigningKey(path: string, name: string): Promise<SigningKey> {
  requireKeyName('signing key name', name);
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read signing key ${path}: ${(error as Error).message}`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (error) {
    throw new Error(`signing key ${path} is not a PEM private key: ${(error as Error).message}`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new Error(`signing key ${path} is a ${privateKey.asymmetricKeyType} key; Vigil signs checkpoints with Ed25519 (openssl genpkey -algorithm ed25519)`);
  }
  const publicKey = createPublicKey(privateKey);
  return { name, privateKey, publicKey, keyId: noteKeyId(name, publicKey) };
}
