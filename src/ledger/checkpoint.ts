import { type KeyObject, createHash, createPublicKey, sign, verify } from 'node:crypto';

/**
 * Signed tree heads as C2SP tlog-checkpoint notes (c2sp.org/tlog-checkpoint, c2sp.org/signed-note),
 * so Go transparency tooling and witnesses can read them:
 *
 *   vigil/7f3a9c2e41d05b88                 origin: the log's identity, also the signing key's name
 *   1234                                   tree size
 *   3q2+7w...=                             base64 RFC 9162 root hash
 *   time 2026-07-23T10:00:00.123Z          Vigil's one extension line: signing time, UTC, milliseconds
 *
 *   — vigil/7f3a9c2e41d05b88 AAAAAB...=    base64(4-byte key ID || Ed25519 signature over the text)
 *
 * The time line is an extension line: the spec allows them (opaque to other tools, non-empty) but
 * does not recommend them, since log monitors cannot audit them. Vigil signs it so a checkpoint
 * proves when the log had that size by the signer's clock; the record's own time lives in its leaf.
 */

export interface Checkpoint {
  origin: string;
  size: number;
  root: Buffer;
  /** When it was signed, epoch milliseconds. */
  timestampMs: number;
}

export interface NoteSignature {
  keyName: string;
  keyId: Buffer;
  signature: Buffer;
}

export interface ParsedCheckpoint extends Checkpoint {
  /** The signed note text: the four body lines, each ending in a newline. */
  body: string;
  signatures: NoteSignature[];
}

/** A public key as the signed-note spec identifies it: by name and 4-byte key ID. */
export interface VerifierKey {
  name: string;
  keyId: Buffer;
  publicKey: KeyObject;
}

export interface SigningKey extends VerifierKey {
  privateKey: KeyObject;
}

export class CheckpointFormatError extends Error {
  override name = 'CheckpointFormatError';
}

export class CheckpointSignatureError extends Error {
  override name = 'CheckpointSignatureError';
}

const ED25519_SIGNATURE_TYPE = 0x01;
const ED25519_SIGNATURE_BYTES = 64;
const SIGNATURE_PREFIX = '\u2014 ';
const MAX_SIGNATURES = 64;
const ISO_MILLIS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const KEY_NAME = /^[^\s+]+$/u;

/** The origin line and key name of a Vigil install's log: `vigil/<install id>`. */
export function logOrigin(installId: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(installId)) {
    throw new Error(`install id ${JSON.stringify(installId)} may only hold letters, digits, '.', '_' and '-'`);
  }
  return `vigil/${installId}`;
}

/** signed-note key ID: SHA-256(name || 0x0A || 0x01 || 32-byte public key)[:4]. */
export function noteKeyId(name: string, publicKey: KeyObject): Buffer {
  return createHash('sha256')
    .update(`${name}\n`)
    .update(Buffer.from([ED25519_SIGNATURE_TYPE]))
    .update(rawPublicKey(publicKey))
    .digest()
    .subarray(0, 4);
}

export function formatCheckpointBody(checkpoint: Checkpoint): string {
  requireKeyName('origin', checkpoint.origin);
  if (!Number.isSafeInteger(checkpoint.size) || checkpoint.size < 0) throw new Error(`checkpoint size must be a whole number, got ${checkpoint.size}`);
  if (checkpoint.root.length !== 32) throw new Error(`checkpoint root must be a 32-byte SHA-256 hash, got ${checkpoint.root.length} bytes`);
  if (!Number.isFinite(checkpoint.timestampMs)) throw new Error(`checkpoint time must be epoch milliseconds, got ${checkpoint.timestampMs}`);
  const time = new Date(checkpoint.timestampMs).toISOString();
  return `${checkpoint.origin}\n${checkpoint.size}\n${checkpoint.root.toString('base64')}\ntime ${time}\n`;
}

/** The whole signed note. The key's name must be the checkpoint's origin. */
export function signCheckpoint(checkpoint: Checkpoint, key: SigningKey): string {
  if (key.name !== checkpoint.origin) {
    throw new Error(`signing key is named ${key.name} but the checkpoint's origin is ${checkpoint.origin}; a log signs under its own name`);
  }
  const body = formatCheckpointBody(checkpoint);
  const signature = sign(null, Buffer.from(body, 'utf8'), key.privateKey);
  return `${body}\n${SIGNATURE_PREFIX}${key.name} ${Buffer.concat([key.keyId, signature]).toString('base64')}\n`;
}

/** Strict parse without verifying signatures; errors name the offending line (1-based). */
export function parseCheckpoint(input: string | Uint8Array): ParsedCheckpoint {
  const note = typeof input === 'string' ? input : decodeUtf8(input);
  requireNoteCharacters(note);
  if (!note.endsWith('\n')) throw formatError(note.split('\n').length, 'the note must end with a newline');
  const separator = note.lastIndexOf('\n\n');
  if (separator < 0) throw formatError(1, 'no blank line separates the checkpoint text from its signatures');
  const body = note.slice(0, separator + 1);
  const bodyLines = body.slice(0, -1).split('\n');
  const checkpoint = parseBody(bodyLines);
  const signatures = parseSignatures(note.slice(separator + 2, -1).split('\n'), bodyLines.length + 2);
  return { ...checkpoint, body, signatures };
}

/**
 * Parses and checks the note's signature by `verifier`. Per signed-note, signatures by other keys
 * are ignored; one by this key that fails rejects the note, and so does the absence of any. The
 * checkpoint's origin must be the key's name, so a checkpoint of another log signed with the same
 * key is not taken for this log's.
 */
export function verifyCheckpoint(note: string | Uint8Array, verifier: VerifierKey): ParsedCheckpoint {
  const checkpoint = parseCheckpoint(note);
  const ours = checkpoint.signatures.filter((s) => s.keyName === verifier.name && s.keyId.equals(verifier.keyId));
  if (ours.length === 0) {
    throw new CheckpointSignatureError(
      `checkpoint at size ${checkpoint.size} carries no signature by ${verifierKeyText(verifier)}; signed by: ${describeSigners(checkpoint)}`,
    );
  }
  for (const signature of ours) {
    const valid = signature.signature.length === ED25519_SIGNATURE_BYTES && verify(null, Buffer.from(checkpoint.body, 'utf8'), verifier.publicKey, signature.signature);
    if (!valid) throw new CheckpointSignatureError(`signature by ${verifier.name} on the checkpoint at size ${checkpoint.size} does not verify: the text or the signature was altered`);
  }
  if (checkpoint.origin !== verifier.name) {
    throw new CheckpointSignatureError(`checkpoint origin ${checkpoint.origin} is not the log of key ${verifier.name}`);
  }
  return checkpoint;
}

/** The signed-note verifier key text: `<name>+<key ID hex>+<base64(0x01 || public key)>`. */
export function verifierKeyText(key: VerifierKey): string {
  const typedKey = Buffer.concat([Buffer.from([ED25519_SIGNATURE_TYPE]), rawPublicKey(key.publicKey)]);
  return `${key.name}+${key.keyId.toString('hex')}+${typedKey.toString('base64')}`;
}

export function parseVerifierKey(text: string): VerifierKey {
  const trimmed = text.trim();
  const first = trimmed.indexOf('+');
  const second = trimmed.indexOf('+', first + 1);
  if (first <= 0 || second < 0) throw new Error(`verifier key must look like <name>+<8 hex digits>+<base64 key>, got ${JSON.stringify(trimmed.slice(0, 80))}`);
  const name = trimmed.slice(0, first);
  const idHex = trimmed.slice(first + 1, second);
  const typedKey = decodeBase64Strict(trimmed.slice(second + 1));
  if (!typedKey || typedKey.length !== 33 || typedKey[0] !== ED25519_SIGNATURE_TYPE) {
    throw new Error(`verifier key ${name}: expected base64 of the 0x01 type byte and a 32-byte Ed25519 public key`);
  }
  const publicKey = ed25519PublicKey(typedKey.subarray(1));
  const keyId = noteKeyId(name, publicKey);
  if (keyId.toString('hex') !== idHex) throw new Error(`verifier key ${name}: key ID ${idHex} does not match its key (expected ${keyId.toString('hex')})`);
  return { name, keyId, publicKey };
}

export function ed25519PublicKey(raw: Buffer): KeyObject {
  if (raw.length !== 32) throw new Error(`an Ed25519 public key is 32 bytes, got ${raw.length}`);
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
}

export function rawPublicKey(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  if (publicKey.asymmetricKeyType !== 'ed25519' || !jwk.x) throw new Error(`expected an Ed25519 public key, got ${publicKey.asymmetricKeyType ?? 'a secret key'}`);
  return Buffer.from(jwk.x, 'base64url');
}

export function requireKeyName(what: string, name: string): void {
  if (!KEY_NAME.test(name)) throw new Error(`${what} ${JSON.stringify(name)} must be non-empty without spaces or '+' (signed-note key name rules)`);
}

function parseBody(lines: string[]): Checkpoint {
  if (lines.length < 4) throw formatError(lines.length + 1, 'a Vigil checkpoint has four lines: origin, size, root hash, time');
  const [origin, sizeText, rootText, timeLine, ...extra] = lines;
  if (!KEY_NAME.test(origin)) throw formatError(1, `origin ${JSON.stringify(origin)} must be non-empty without spaces or '+'`);
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) {
    throw formatError(2, `tree size ${JSON.stringify(sizeText)} is not a decimal number without leading zeros`);
  }
  const root = decodeBase64Strict(rootText);
  if (!root || root.length !== 32) throw formatError(3, `root hash ${JSON.stringify(rootText)} is not the base64 of 32 bytes`);
  if (extra.length > 0) throw formatError(5, `unexpected line ${JSON.stringify(extra[0])}: Vigil checkpoints carry only the time extension`);
  return { origin, size: Number(sizeText), root, timestampMs: parseTimeLine(timeLine) };
}

function parseTimeLine(line: string): number {
  const time = line.startsWith('time ') ? line.slice(5) : '';
  const ms = ISO_MILLIS.test(time) ? Date.parse(time) : Number.NaN;
  if (Number.isNaN(ms) || new Date(ms).toISOString() !== time) {
    throw formatError(4, `expected "time YYYY-MM-DDTHH:MM:SS.mmmZ", got ${JSON.stringify(line)}`);
  }
  return ms;
}

function parseSignatures(lines: string[], firstLineNumber: number): NoteSignature[] {
  if (lines.length > MAX_SIGNATURES) throw formatError(firstLineNumber, `more than ${MAX_SIGNATURES} signature lines`);
  return lines.map((line, i) => {
    const lineNumber = firstLineNumber + i;
    const match = /^\u2014 ([^\s+]+) ([A-Za-z0-9+/=]+)$/u.exec(line);
    if (!match) throw formatError(lineNumber, `expected a signature line "— <key name> <base64>", got ${JSON.stringify(line.slice(0, 120))}`);
    const decoded = decodeBase64Strict(match[2]);
    if (!decoded || decoded.length < 5) throw formatError(lineNumber, 'signature is not base64 of a 4-byte key ID and a signature');
    return { keyName: match[1], keyId: decoded.subarray(0, 4), signature: decoded.subarray(4) };
  });
}

function requireNoteCharacters(note: string): void {
  const lines = note.split('\n');
  // A lone surrogate cannot be written as UTF-8, so no signer could have signed it.
  const invalid = lines.findIndex((line) => /\p{Surrogate}/u.test(line));
  if (invalid >= 0) throw formatError(invalid + 1, 'the note is not valid UTF-8');
  const bad = lines.findIndex((line) => /[\u0000-\u0009\u000b-\u001f]/.test(line));
  if (bad >= 0) throw formatError(bad + 1, 'control characters other than newline are not allowed (a carriage return from CRLF?)');
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new CheckpointFormatError('checkpoint is not valid UTF-8');
  }
}

function decodeBase64Strict(text: string): Buffer | undefined {
  const decoded = Buffer.from(text, 'base64');
  return decoded.toString('base64') === text ? decoded : undefined;
}

function describeSigners(checkpoint: ParsedCheckpoint): string {
  return checkpoint.signatures.map((s) => `${s.keyName} (key ID ${s.keyId.toString('hex')})`).join(', ');
}

function formatError(line: number, message: string): CheckpointFormatError {
  return new CheckpointFormatError(`checkpoint line ${line}: ${message}`);
}
