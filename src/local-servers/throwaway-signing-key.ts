import { join } from 'node:path';
import { generateSigningKey, saveSigningKey } from '../ledger/signing-key.js';

/** A fresh worker signing key in `dir`, for a demo or benchmark whose data is as temporary as the key. */
export async function throwawaySigningKey(dir: string): Promise<string> {
  const file = join(dir, 'worker-ledger.key');
  await saveSigningKey(file, generateSigningKey('vigil'));
  return file;
}
