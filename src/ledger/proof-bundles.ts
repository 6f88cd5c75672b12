import type { SqliteDatabase } from '../store/sqlite/database.js';
import { type CheckpointRow, CheckpointTable } from '../store/sqlite/ledger-checkpoints.js';
import { LeafTable } from '../store/sqlite/ledger-leaves.js';
import { type VerifierKey, parseCheckpoint } from './checkpoint.js';
import { type ConsistencyBundle, buildConsistencyBundle } from './consistency-bundle.js';
import { leafBytes } from './leaf.js';
import { type ProofBundle, buildProofBundle, verifyProofBundle } from './offline-verify.js';
import { LedgerProofs } from './proof-source.js';
import { ProofGenerator } from './proofs.js';
import type { VigilEvent } from '../model/event.js';

/** The proofs `vigil proof` prints, built from the store and checked before they leave it. */

export class ProofNotPossible extends Error {
  override name = 'ProofNotPossible';
}

/**
 * An inclusion proof bundle for the record with this event id, against the newest checkpoint.
 * `signNow` is called when no checkpoint covers the record yet (it signs one and returns it).
 */
export async function inclusionBundle(db: SqliteDatabase, eventId: string, verifier: VerifierKey, signNow: () => Promise<CheckpointRow | undefined>): Promise<ProofBundle> {
  const leaves = new LeafTable(db);
  const leaf = leaves.findById(eventId);
  if (!leaf) throw new ProofNotPossible(`no stored record has event id ${eventId} (ids are shown by vigil query as event.id)`);
  const stored = leaves.recordAt(leaf.seq, leaf.day);
  if (!stored) throw new ProofNotPossible(`the record of event ${eventId} (seq ${leaf.seq}) is gone: removed by retention or deleted; its leaf hash remains in the ledger`);
  let checkpoint = new CheckpointTable(db).latest();
  if (!checkpoint || checkpoint.size <= leaf.seq) checkpoint = await signNow();
  if (!checkpoint || checkpoint.size <= leaf.seq) throw new ProofNotPossible(`no signed checkpoint covers seq ${leaf.seq} yet`);
  const root = parseCheckpoint(checkpoint.note).root;
  const proof = await new LedgerProofs(db).inclusionProof(leaf.seq, checkpoint.size, root);
  const bundle = buildProofBundle(leafBytes({ source: stored.source as VigilEvent['source'], cluster: stored.cluster, record: stored.record }), leaf.seq, proof, checkpoint.note);
  const verdict = verifyProofBundle(bundle, verifier);
  if (!verdict.valid) {
    throw new ProofNotPossible(`the stored record at seq ${leaf.seq} does not match its ledger leaf (${verdict.reason}): it was altered; run vigil verify`);
  }
  return bundle;
}

/** A consistency proof from `oldSize` to the checkpoint of `newSize` (default: the newest). */
export async function consistencyBundle(db: SqliteDatabase, oldSize: number, newSize: number | undefined, signNow: () => Promise<CheckpointRow | undefined>): Promise<ConsistencyBundle> {
  const checkpoints = new CheckpointTable(db);
  const newer = newSize === undefined ? await signNow() : checkpoints.atSize(newSize);
  if (!newer) throw new ProofNotPossible(`no signed checkpoint of size ${newSize ?? '(newest)'}; list them with vigil checkpoint -o json`);
  if (oldSize < 1 || oldSize > newer.size) throw new ProofNotPossible(`the old size must be from 1 to ${newer.size}, got ${oldSize}`);
  const older = checkpoints.atSize(oldSize);
  const oldRoot = older ? parseCheckpoint(older.note).root : await new ProofGenerator(new LeafTable(db)).root(oldSize);
  const proof = await new LedgerProofs(db).consistencyProof(oldSize, oldRoot, newer.size, parseCheckpoint(newer.note).root);
  return buildConsistencyBundle(oldSize, newer.size, proof, older?.note ?? null, newer.note);
}
