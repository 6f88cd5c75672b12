import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SqliteDatabase } from '../store/sqlite/database.js';
import { claimMeta, readMeta } from '../store/sqlite/ledger-meta.js';
import { type SigningKey, type VerifierKey, logOrigin, parseVerifierKey, verifierKeyText } from './checkpoint.js';
import { generateSigningKey, loadSigningKey, saveSigningKey } from './signing-key.js';

/**
 * Who the log is and which key signs it. A data directory gets a random install id the first
 * time it signs (its log origin is `vigil/<install id>`) and, unless a key file is named, an
 * Ed25519 key in `<data dir>/ledger.key`. The verifier key is pinned in `meta` at first use, so a
 * run with another key is refused instead of signing a checkpoint no earlier one chains to.
 */

export const DEFAULT_KEY_FILE = 'ledger.key';
const INSTALL_ID = 'ledger.install_id';
const PINNED_VERIFIER = 'ledger.verifier_key';

/** The log's origin, made on first use. */
export function claimOrigin(db: SqliteDatabase): string {
  return logOrigin(claimMeta(db, INSTALL_ID, randomBytes(8).toString('hex')));
}

/** The origin if this store ever signed, without creating one. */
export function knownOrigin(db: SqliteDatabase): string | undefined {
  const id = readMeta(db, INSTALL_ID);
  return id === undefined ? undefined : logOrigin(id);
}

export function defaultKeyPath(dataDir: string): string {
  return join(dataDir, DEFAULT_KEY_FILE);
}

/**
 * The signing key: the named file (which must exist: a typo must not silently start a second
 * key), else the data directory's own, created on first use with mode 0600.
 */
export async function loadLogSigningKey(db: SqliteDatabase, dataDir: string, keyFile?: string): Promise<SigningKey> {
  const origin = claimOrigin(db);
  const path = keyFile ?? defaultKeyPath(dataDir);
  if (keyFile === undefined && !existsSync(path)) {
    try {
      await saveSigningKey(path, generateSigningKey(origin));
    } catch (error) {
      // Another process created it first; use theirs.
      if (!existsSync(path)) throw error;
    }
  } else if (!existsSync(path)) {
    throw new Error(`signing key ${path} does not exist; create one with: openssl genpkey -algorithm ed25519 -out ${path} && chmod 600 ${path}`);
  }
  const key = await loadSigningKey(path, origin);
  const text = verifierKeyText(key);
  const pinned = claimMeta(db, PINNED_VERIFIER, text);
  if (pinned !== text) {
    throw new Error(
      `${path} is not the key this data directory signs with (its checkpoints verify with ${pinned}, this key is ${text}); pass the original key with --signing-key`,
    );
  }
  return key;
}

export interface ResolvedVerifier {
  key: VerifierKey;
  /** Where the key came from, for the report: an auditor should pass one obtained out of band. */
  from: string;
}

/**
 * The key checkpoints are verified with: `--public-key` (the key text or a file holding it), else
 * the public half of the signing key, else the key pinned in the store. Undefined when the store
 * never signed and no key was given.
 */
export async function resolveVerifier(db: SqliteDatabase, dataDir: string, options: { publicKey?: string; keyFile?: string }): Promise<ResolvedVerifier | undefined> {
  if (options.publicKey !== undefined) return { key: await readVerifierKey(options.publicKey), from: '--public-key' };
  const origin = knownOrigin(db);
  if (origin === undefined) return undefined;
  const path = options.keyFile ?? defaultKeyPath(dataDir);
  if (existsSync(path)) {
    const { name, keyId, publicKey } = await loadSigningKey(path, origin);
    return { key: { name, keyId, publicKey }, from: `the signing key ${path}` };
  }
  const pinned = readMeta(db, PINNED_VERIFIER);
  if (pinned === undefined) return undefined;
  return { key: parseVerifierKey(pinned), from: 'the key pinned in the store (pass --public-key for an independent check)' };
}

/** A verifier key given as its text (`vigil/…+…+…`) or as a file containing that text. */
export async function readVerifierKey(textOrFile: string): Promise<VerifierKey> {
  const looksLikeKey = /^[^\s+]+\+[0-9a-f]{8}\+/.test(textOrFile.trim());
  const text = looksLikeKey ? textOrFile : await readFile(textOrFile, 'utf8').catch((error: Error) => {
    throw new Error(`--public-key ${textOrFile} is neither a verifier key (vigil/…+…+…) nor a readable file: ${error.message}`);
  });
  return parseVerifierKey(text);
}
