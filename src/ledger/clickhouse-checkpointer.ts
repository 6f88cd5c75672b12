import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ClickHouseStore } from '../store/clickhouse/clickhouse-store.js';
import { type ClickHouseCheckpointRow, ClickHouseCheckpoints } from '../store/clickhouse/checkpoints.js';
import type { ClickHouseConnection } from '../store/clickhouse/connection.js';
import { recordedLeafHashesIn } from '../store/clickhouse/ledger-scan.js';
import { StateTable } from '../store/clickhouse/state.js';
import { type ParsedCheckpoint, type SigningKey, type VerifierKey, noteKeyId, parseCheckpoint, signCheckpoint, verifierKeyText } from './checkpoint.js';
import type { WitnessOutcome } from './checkpointer.js';
import { MerkleFrontier } from './merkle.js';
import { addPeaks } from './proof-source.js';
import { type LeafHashReader, ProofError, ProofGenerator, verifyConsistency } from './proofs.js';
import { DirectoryWitness, WitnessForkError, WitnessRejectedError } from './witness.js';

/**
 * Checkpoints of the scale-out store's logs. Each log (`p0`, `p1`, … one per worker partition)
 * is its own Merkle tree, so it gets its own C2SP origin `<key name>/<log>`, signed with the one
 * Ed25519 key under that name, its own rows in the `checkpoints` table and its own subdirectory
 * of every witness directory (a DirectoryWitness follows exactly one log).
 */

export interface LogCheckpointOutcome {
  log: string;
  /** The newest checkpoint of the log, undefined while it has none. */
  latest: ClickHouseCheckpointRow | undefined;
  /** True when this call signed `latest`. */
  signed: boolean;
  witnesses: WitnessOutcome[];
}

export interface LogCheckpointOptions {
  /** Send the newest checkpoint to the witnesses even when nothing new was signed (default false: a periodic call publishes only growth). */
  publishUnchanged?: boolean;
  clock?: () => number;
}

/** The key a log signs with: the same key pair, named after the log's origin `<key name>/<log>`. */
export function logSigningKey(key: SigningKey, log: string): SigningKey {
  const name = logOriginOf(key.name, log);
  return { ...key, name, keyId: noteKeyId(name, key.publicKey) };
}

/** The verifier of a log from the install's verifier key (`vigil/<id>+…`) or from the log's own (`vigil/<id>/p0+…`). */
export function logVerifierKey(key: VerifierKey, log: string): VerifierKey {
  if (key.name.endsWith(`/${log}`)) return key;
  const name = logOriginOf(key.name, log);
  return { name, keyId: noteKeyId(name, key.publicKey), publicKey: key.publicKey };
}

export function logOriginOf(installOrigin: string, log: string): string {
  return `${installOrigin}/${log}`;
}

/** The directory of a witness that follows one log. */
export function logWitnessDir(witnessDir: string, log: string): string {
  return join(witnessDir, log);
}

/** Where the verifier key of each log is pinned in the `state` table at its first checkpoint. */
export function pinnedVerifierKey(log: string): string {
  return `ledger/verifier/${log}`;
}

/**
 * Signs a checkpoint of the store's log when it grew since the last one, stores it with its
 * frontier in `checkpoints`, then offers the newest to each witness directory with the
 * consistency proof from the size the witness holds. Call it about once a second while a worker
 * appends, and once at shutdown; one caller per log at a time (the log's writer). A witness that
 * refuses (rollback, fork) or cannot be written is reported in the outcome, never thrown:
 * the records are stored before they are signed.
 */
export async function checkpointLog(store: ClickHouseStore, key: SigningKey, witnessDirs: readonly string[], options: LogCheckpointOptions = {}): Promise<LogCheckpointOutcome> {
  const { log, connection } = store;
  const logKey = logSigningKey(key, log);
  await pinVerifier(connection, log, logKey);
  const checkpoints = new ClickHouseCheckpoints(connection);
  const frontier = store.frontierSnapshot();
  let latest = await checkpoints.latest(log);
  requireExtends(log, latest, frontier);
  const signed = latest ? frontier.size > latest.size : frontier.size > 0;
  if (signed) {
    const signedAt = (options.clock ?? Date.now)();
    const note = signCheckpoint({ origin: logKey.name, size: frontier.size, root: frontier.root(), timestampMs: signedAt }, logKey);
    latest = { log, size: frontier.size, signedAt, note, frontier: frontier.serialize() };
    await checkpoints.insert(latest);
  }
  const publish = latest !== undefined && (signed || options.publishUnchanged === true);
  const witnesses = publish && latest ? await Promise.all(witnessDirs.map((dir) => publishTo(dir, connection, logKey, latest as ClickHouseCheckpointRow, checkpoints))) : [];
  return { log, latest, signed, witnesses };
}

/** The first checkpoint pins the log's key; another key later would start a history no earlier checkpoint chains to. */
async function pinVerifier(connection: ClickHouseConnection, log: string, key: SigningKey): Promise<void> {
  const state = new StateTable(connection);
  const text = verifierKeyText(key);
  const pinned = await state.read(pinnedVerifierKey(log));
  if (pinned === undefined) await state.write(pinnedVerifierKey(log), text, 1);
  else if (pinned !== text) {
    throw new Error(`log "${log}" signs with ${pinned}, not with ${text}: pass the key its checkpoints were signed with (a new key cannot continue a signed log)`);
  }
}

/** The writer's tree must extend its own newest checkpoint; if not, the rows were rolled back or rewritten under it. */
function requireExtends(log: string, latest: ClickHouseCheckpointRow | undefined, frontier: MerkleFrontier): void {
  if (!latest) return;
  const signedRoot = parseCheckpoint(latest.note).root;
  if (frontier.size < latest.size || (frontier.size === latest.size && !frontier.root().equals(signedRoot))) {
    throw new Error(
      `log "${log}" has ${frontier.size} leaves but its newest checkpoint signed ${latest.size} with another history: the store was rolled back or rewritten; run vigil verify --store … --log ${log}`,
    );
  }
}

async function publishTo(
  dir: string,
  connection: ClickHouseConnection,
  key: SigningKey,
  latest: ClickHouseCheckpointRow,
  checkpoints: ClickHouseCheckpoints,
): Promise<WitnessOutcome> {
  const logDir = logWitnessDir(dir, latest.log);
  try {
    // The witness root must exist (a missing mount is an error); the log's own subdirectory is made on first use.
    if (existsSync(dir) && !existsSync(logDir)) mkdirSync(logDir);
    const witness = new DirectoryWitness(logDir, key);
    const held = (await witness.latest())?.checkpoint;
    const proof = held && held.size > 0 && held.size < latest.size ? await proveExtension(logDir, connection, checkpoints, held, latest) : [];
    return { dir: logDir, status: await witness.submit(latest.note, proof) };
  } catch (error) {
    return { dir: logDir, status: error instanceof WitnessRejectedError ? 'rejected' : 'unreachable', error: error as Error };
  }
}

/** PROOF(held, latest) from the recorded leaf hashes, with subtrees the stored frontiers vouch for; checked before it is sent. */
async function proveExtension(
  dir: string,
  connection: ClickHouseConnection,
  checkpoints: ClickHouseCheckpoints,
  held: ParsedCheckpoint,
  latest: ClickHouseCheckpointRow,
): Promise<Buffer[]> {
  const latestRoot = parseCheckpoint(latest.note).root;
  const peaks = new Map<string, Buffer>();
  const heldRow = await checkpoints.atSize(latest.log, held.size);
  for (const [row, root] of [[heldRow, held.root], [latest, latestRoot]] as const) {
    if (row && trustedFrontier(row.frontier, row.size, root)) addPeaks(peaks, row.frontier);
  }
  const generator = new ProofGenerator(new PrefetchingLeafReader(connection, latest.log, latest.size), {
    get: (level, index) => peaks.get(`${level}/${index}`),
    set: () => undefined,
  });
  try {
    const proof = await generator.consistencyProof(held.size, latest.size);
    verifyConsistency(held.size, latest.size, proof, held.root, latestRoot);
    return proof;
  } catch (error) {
    if (!(error instanceof ProofError)) throw error;
    throw new WitnessForkError(
      `witness ${dir} holds a checkpoint of size ${held.size} that log "${latest.log}" does not extend (${error.message}): the store was rolled back, rewritten or tampered with; run vigil verify --store … --log ${latest.log} --witness ${dir}`,
      { cause: error },
    );
  }
}

function trustedFrontier(serialized: Buffer, size: number, root: Buffer): boolean {
  try {
    const frontier = MerkleFrontier.deserialize(serialized);
    return frontier.size === size && frontier.root().equals(root);
  } catch {
    return false;
  }
}

/** Proofs ask for 256 leaves at a time, mostly in ascending order; one query fetches many of them. */
class PrefetchingLeafReader implements LeafHashReader {
  private static readonly WINDOW = 65_536;
  private from = 0;
  private hashes: Buffer[] = [];

  constructor(
    private readonly connection: ClickHouseConnection,
    private readonly log: string,
    private readonly size: number,
  ) {}

  async readLeafHashes(from: number, to: number): Promise<readonly Buffer[]> {
    if (from < this.from || to > this.from + this.hashes.length) {
      const end = Math.min(this.size, Math.max(to, from + PrefetchingLeafReader.WINDOW));
      const leaves = await recordedLeafHashesIn(this.connection, this.log, from, end);
      const contiguous = leaves.findIndex(([seq], i) => seq !== from + i);
      this.from = from;
      this.hashes = (contiguous < 0 ? leaves : leaves.slice(0, contiguous)).map(([, hash]) => hash);
    }
    return this.hashes.slice(from - this.from, Math.min(to, this.from + this.hashes.length) - this.from);
  }
}
