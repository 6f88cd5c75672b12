import { type KeyObject, createHash } from 'node:crypto';
import { type SigningKey, logOrigin, noteKeyId } from '../ledger/checkpoint.js';
import { loadSigningKey } from '../ledger/signing-key.js';

/**
 * The key every worker of one scale-out store signs with. Workers on several machines take each
 * other's partitions, so they must all sign with one key under one origin; the origin is
 * derived from the key itself (`vigil/<first 16 hex of SHA-256 of the public key>`), so workers
 * agree on it without coordinating, and a verifier key names the install it checks.
 */
export async function loadWorkerSigningKey(path: string): Promise<SigningKey> {
  const loaded = await loadSigningKey(path, 'vigil');
  const name = logOrigin(installIdOf(loaded.publicKey));
  return { ...loaded, name, keyId: noteKeyId(name, loaded.publicKey) };
}

export function installIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}
