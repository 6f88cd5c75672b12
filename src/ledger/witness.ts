import { randomBytes } from 'node:crypto';
import { open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckpointFormatError, CheckpointSignatureError, type ParsedCheckpoint, type VerifierKey, parseCheckpoint, verifierKeyText, verifyCheckpoint } from './checkpoint.js';
import { ProofError, verifyConsistency } from './proofs.js';

/**
 * A witness kept in a directory (in production on another volume or a bucket mount). It holds the
 * newest checkpoint it accepted and takes a new one only if the log's key signed it and it extends
 * the held one (RFC 9162 consistency proof), so a rolled-back or rewritten history cannot replace
 * what it holds. Files:
 *   checkpoint     the latest accepted checkpoint note, replaced atomically
 *   history.ndjson every accepted checkpoint, {"acceptedAt", "checkpoint"} per line, append-only
 *   verifier-key   the log's verifier key, pinned at the first submission
 * One log writes to a witness directory; concurrent writers are not coordinated.
 */

const LATEST = 'checkpoint';
const HISTORY = 'history.ndjson';
const PINNED_KEY = 'verifier-key';

export class WitnessRejectedError extends Error {
  override name = 'WitnessRejectedError';
}

/** The checkpoint is smaller than the one the witness holds: the log was rolled back. */
export class WitnessRollbackError extends WitnessRejectedError {
  override name = 'WitnessRollbackError';
}

/** The checkpoint does not extend the held one: same size with another root, or a failed proof. */
export class WitnessForkError extends WitnessRejectedError {
  override name = 'WitnessForkError';
}

/** The checkpoint is malformed, not signed by the log's key, or the key differs from the pinned one. */
export class WitnessBadSignatureError extends WitnessRejectedError {
  override name = 'WitnessBadSignatureError';
}

export interface HeldCheckpoint {
  note: string;
  checkpoint: ParsedCheckpoint;
}

export type SubmitOutcome = 'accepted' | 'unchanged';

export class DirectoryWitness {
  constructor(
    readonly dir: string,
    private readonly verifier: VerifierKey,
  ) {}

  /** The newest accepted checkpoint, or null before the first. */
  async latest(): Promise<HeldCheckpoint | null> {
    const note = await readOptional(join(this.dir, LATEST));
    if (note === null) return null;
    try {
      return { note, checkpoint: parseCheckpoint(note) };
    } catch (error) {
      throw new Error(`witness ${this.dir} holds an unreadable checkpoint (${(error as Error).message}); restore ${LATEST} from ${HISTORY}`);
    }
  }

  /**
   * Offers a checkpoint with the consistency proof from the held checkpoint's size to its size
   * (empty for the first submission or an equal size). Resolves 'unchanged' for a resubmission of
   * the held tree with no newer time; throws a WitnessRejectedError subclass otherwise.
   */
  async submit(note: string, consistencyProof: readonly Uint8Array[]): Promise<SubmitOutcome> {
    await this.requireDirectory();
    await this.requirePinnedKey();
    const offered = this.verified(note);
    const held = await this.latest();
    if (held && !this.shouldReplace(held.checkpoint, offered, consistencyProof)) return 'unchanged';
    await this.record(note);
    return 'accepted';
  }

  private verified(note: string): ParsedCheckpoint {
    try {
      return verifyCheckpoint(note, this.verifier);
    } catch (error) {
      if (error instanceof CheckpointSignatureError || error instanceof CheckpointFormatError) {
        throw new WitnessBadSignatureError(`witness ${this.dir} rejected a checkpoint: ${error.message}`, { cause: error });
      }
      throw error;
    }
  }

  /** True when the offered checkpoint should replace the held one; throws when it must not. */
  private shouldReplace(held: ParsedCheckpoint, offered: ParsedCheckpoint, proof: readonly Uint8Array[]): boolean {
    if (offered.size < held.size) {
      throw new WitnessRollbackError(
        `witness ${this.dir} holds a checkpoint of size ${held.size}; refusing size ${offered.size}: the log was rolled back or restored from an older copy`,
      );
    }
    if (offered.size === held.size) {
      if (!offered.root.equals(held.root)) {
        throw new WitnessForkError(`witness ${this.dir} holds a different root for size ${held.size}: the log's history was rewritten (fork)`);
      }
      return offered.timestampMs > held.timestampMs;
    }
    if (held.size === 0) return true;
    try {
      verifyConsistency(held.size, offered.size, proof, held.root, offered.root);
    } catch (error) {
      if (!(error instanceof ProofError)) throw error;
      throw new WitnessForkError(
        `witness ${this.dir}: checkpoint of size ${offered.size} does not extend the held one of size ${held.size} (${error.message}); the log's history was rewritten (fork)`,
        { cause: error },
      );
    }
    return true;
  }

  /** A missing mount must not turn into a fresh witness on the log's own volume. */
  private async requireDirectory(): Promise<void> {
    const info = await stat(this.dir).catch(() => null);
    if (!info?.isDirectory()) {
      throw new Error(`witness directory ${this.dir} does not exist; create it (ideally on another volume) or fix the --witness path`);
    }
  }

  private async requirePinnedKey(): Promise<void> {
    const expected = verifierKeyText(this.verifier);
    const pinned = await readOptional(join(this.dir, PINNED_KEY));
    if (pinned === null) {
      await writeAtomically(join(this.dir, PINNED_KEY), `${expected}\n`);
    } else if (pinned.trim() !== expected) {
      throw new WitnessBadSignatureError(
        `witness ${this.dir} is pinned to key ${pinned.trim()}, not ${expected}; if the log's key was rotated on purpose, replace ${PINNED_KEY} by hand`,
      );
    }
  }

  /** History first, so a crash in between leaves history a superset of what `checkpoint` says. */
  private async record(note: string): Promise<void> {
    const entry = `${JSON.stringify({ acceptedAt: new Date().toISOString(), checkpoint: note })}\n`;
    const history = await open(join(this.dir, HISTORY), 'a', 0o644);
    try {
      await history.appendFile(entry);
      await history.sync();
    } finally {
      await history.close();
    }
    await writeAtomically(join(this.dir, LATEST), note);
  }
}

/** Write a temporary file, fsync it, rename it over the target, fsync the directory. */
async function writeAtomically(path: string, content: string): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const file = await open(temporary, 'wx', 0o644);
  try {
    await file.writeFile(content);
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await syncDirectory(join(path, '..'));
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
