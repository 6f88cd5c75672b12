import { createHash } from 'node:crypto';
import { z } from 'zod';
import { type VerifierKey, verifyCheckpoint } from '../ledger/checkpoint.js';
import { leafBytes } from '../ledger/leaf.js';
import { leafHash } from '../ledger/merkle.js';
import { ArchiveIndexError, readArchiveIndex } from './archive-index.js';
import { rootFromMultiProof } from './multiproof.js';
import { ARCHIVE_EXPIRE, ARCHIVE_MOVE, type DeclaredSegment, type VerifiedRun, runReceiptName, verifyRunReceipt } from './run-receipt.js';
import { type SegmentManifest, indexRanges, manifestSchema } from './segment-format.js';
import { SegmentReader } from './segment-reader.js';
import type { ArchiveTarget } from './target.js';

/**
 * `vigil archive verify`: checks an archive with nothing but the log's public key.
 *  - every run receipt: the `archive.move` record is in a signed tree (inclusion proof), and the
 *    runs form an unbroken chain (each names the previous run on this archive);
 *  - every segment a run declares: its manifest is there with the digest the run recorded, its
 *    file is there with the size and sha256 the manifest names, every line decodes, the leaf
 *    indices are those the manifest lists, and the recomputed leaves with the manifest's proof
 *    rebuild the root of its checkpoint, whose signature checks;
 *  - every `archive.expire` receipt: the segments it removed by policy were written by a signed
 *    move with the same digest; they are reported as expired, not missing;
 *  - objects and index entries no run declares.
 * Each problem is named with its kind and object. Memory holds one segment's leaf hashes.
 */

export type ArchiveProblemKind =
  | 'segment-missing'
  | 'segment-truncated'
  | 'segment-modified'
  | 'segment-unreadable'
  | 'manifest-missing'
  | 'manifest-modified'
  | 'leaves-mismatch'
  | 'proof-invalid'
  | 'checkpoint-invalid'
  | 'run-invalid'
  | 'run-missing'
  | 'undeclared-object'
  | 'index-mismatch';

export interface ArchiveProblem {
  kind: ArchiveProblemKind;
  object: string;
  detail: string;
}

/** A segment a signed `archive.expire` run removed from the archive by policy. */
export interface ExpiredSegment {
  name: string;
  events: number;
  firstSeq: number;
  lastSeq: number;
  /** Seq of the archive.expire record. */
  expiredBy: number;
}

export interface ArchiveVerifyReport {
  archive: string;
  intact: boolean;
  runs: number;
  /** `declared`: segments the signed moves wrote and no expiry removed. */
  segments: { declared: number; verified: number };
  /** Names of the segments the signed runs declare and no expiry removed. */
  declaredSegments: string[];
  /** Segments removed by policy: expected absent, not counted as missing. */
  expired: ExpiredSegment[];
  events: number;
  /** Time span of the verified events, epoch ms; null when none. */
  time: { fromMs: number; toMs: number } | null;
  problems: ArchiveProblem[];
}

export interface SegmentVerdict {
  manifest: SegmentManifest;
  events: number;
}

export async function verifyArchive(target: ArchiveTarget, verifier: VerifierKey, onSegment?: (name: string) => void): Promise<ArchiveVerifyReport> {
  const problems: ArchiveProblem[] = [];
  const problem = (kind: ArchiveProblemKind, object: string, detail: string) => problems.push({ kind, object, detail });
  const objects = new Map<string, number>();
  for await (const object of target.list('')) objects.set(object.name, object.bytes);

  const runs = await readRuns(target, objects, verifier, problem);
  checkRunChain(runs, problem);
  const declared = new Map<string, DeclaredSegment>();
  for (const run of runs) if (run.action === ARCHIVE_MOVE) for (const segment of run.segments) declared.set(segment.name, segment);
  const expired = expiredSegments(runs, declared, problem);
  // Objects of expired segments may outlive their expiry briefly (the next run deletes them): known, not live.
  const written = new Set(declared.keys());
  for (const { name } of expired) declared.delete(name);

  let verified = 0;
  let events = 0;
  let time = null as ArchiveVerifyReport['time'];
  for (const segment of declared.values()) {
    onSegment?.(segment.name);
    const verdict = await verifySegment(target, segment, objects, verifier, problem);
    if (!verdict) continue;
    verified += 1;
    events += verdict.events;
    time = { fromMs: Math.min(time?.fromMs ?? Infinity, verdict.manifest.time.fromMs), toMs: Math.max(time?.toMs ?? -Infinity, verdict.manifest.time.toMs) };
  }
  for (const name of objects.keys()) {
    if (!name.startsWith('segments/')) continue;
    const segmentName = name.endsWith('.manifest.json') ? name.slice(0, -'.manifest.json'.length) : name;
    if (!written.has(segmentName)) problem('undeclared-object', name, 'no signed archive run declares this object: left by an interrupted run, or placed here by someone else');
  }
  await checkIndex(target, declared, problem);
  return {
    archive: target.location,
    intact: problems.length === 0,
    runs: runs.length,
    segments: { declared: declared.size, verified },
    declaredSegments: [...declared.keys()],
    expired,
    events,
    time,
    problems,
  };
}

async function readRuns(target: ArchiveTarget, objects: ReadonlyMap<string, number>, verifier: VerifierKey, problem: (kind: ArchiveProblemKind, object: string, detail: string) => void): Promise<VerifiedRun[]> {
  const runs: VerifiedRun[] = [];
  for (const name of [...objects.keys()].filter((n) => n.startsWith('runs/') && n.endsWith('.json')).sort()) {
    const verdict = verifyRunReceipt((await target.readText(name)) ?? '', verifier);
    if ('invalid' in verdict) problem('run-invalid', name, `the run receipt proves nothing: ${verdict.invalid}`);
    else runs.push(verdict);
  }
  return runs.sort((a, b) => a.seq - b.seq);
}

/** The segments signed expiries removed; each must be one a signed move wrote, with the same digest. */
function expiredSegments(runs: readonly VerifiedRun[], declared: ReadonlyMap<string, DeclaredSegment>, problem: (kind: ArchiveProblemKind, object: string, detail: string) => void): ExpiredSegment[] {
  const expired: ExpiredSegment[] = [];
  for (const run of runs) {
    if (run.action !== ARCHIVE_EXPIRE) continue;
    for (const segment of run.segments) {
      const written = declared.get(segment.name);
      if (!written || written.sha256 !== segment.sha256) {
        problem('run-invalid', runReceiptName(run.seq), `expires ${segment.name}, which no signed move on this archive wrote${written ? ' with that digest' : ''}`);
        continue;
      }
      expired.push({ name: segment.name, events: segment.events, firstSeq: segment.firstSeq, lastSeq: segment.lastSeq, expiredBy: run.seq });
    }
  }
  return expired;
}

/** Each run names the previous run on this archive; a named run without a receipt was deleted. */
function checkRunChain(runs: readonly VerifiedRun[], problem: (kind: ArchiveProblemKind, object: string, detail: string) => void): void {
  const seqs = new Set(runs.map((run) => run.seq));
  for (const run of runs) {
    if (run.previousRun !== null && !seqs.has(run.previousRun)) {
      problem('run-missing', runReceiptName(run.previousRun), `the run at seq ${run.seq} follows a run at seq ${run.previousRun} whose receipt is gone: that run's segments may have been deleted with it`);
    }
  }
}

async function verifySegment(
  target: ArchiveTarget,
  declared: DeclaredSegment,
  objects: ReadonlyMap<string, number>,
  verifier: VerifierKey,
  problem: (kind: ArchiveProblemKind, object: string, detail: string) => void,
): Promise<SegmentVerdict | undefined> {
  const manifestText = objects.has(declared.manifest) ? await target.readText(declared.manifest) : undefined;
  if (manifestText === undefined) {
    problem(objects.has(declared.name) ? 'manifest-missing' : 'segment-missing', objects.has(declared.name) ? declared.manifest : declared.name, `declared by a signed run with ${declared.events} events (seq ${declared.firstSeq}–${declared.lastSeq}) but gone from the archive`);
    return undefined;
  }
  if (sha256(manifestText) !== declared.manifestSha256) {
    problem('manifest-modified', declared.manifest, `its sha256 is ${sha256(manifestText).slice(0, 16)}… but the signed run recorded ${declared.manifestSha256.slice(0, 16)}…: the manifest was edited`);
    return undefined;
  }
  const manifest = manifestSchema.parse(JSON.parse(manifestText));
  const size = objects.get(declared.name);
  if (size === undefined) {
    problem('segment-missing', declared.name, `declared by a signed run with ${declared.events} events (seq ${declared.firstSeq}–${declared.lastSeq}) but gone from the archive`);
    return undefined;
  }
  if (size < manifest.segment.bytes) {
    problem('segment-truncated', declared.name, `${size} of ${manifest.segment.bytes} bytes are left: the file was cut short`);
    return undefined;
  }
  let head;
  try {
    head = verifyCheckpoint(manifest.checkpoint, verifier);
  } catch (error) {
    problem('checkpoint-invalid', declared.manifest, (error as Error).message);
    return undefined;
  }
  const reader = new SegmentReader(target, declared.name);
  const leaves: Array<[number, Buffer]> = [];
  try {
    for await (const line of reader.lines()) leaves.push([line.seq, leafHash(leafBytes(line))]);
  } catch (error) {
    const digest = reader.digest();
    if (digest.bytes === manifest.segment.bytes && sha256Matches(digest.sha256, manifest)) problem('segment-unreadable', declared.name, (error as Error).message);
    else problem('segment-modified', declared.name, `the bytes differ from those the manifest hashed and no longer decode (${(error as Error).message})`);
    return undefined;
  }
  const digest = reader.digest();
  if (digest.bytes !== manifest.segment.bytes || digest.sha256 !== manifest.segment.sha256) {
    problem('segment-modified', declared.name, `sha256 ${digest.sha256.slice(0, 16)}… (${digest.bytes} bytes) but the manifest says ${manifest.segment.sha256.slice(0, 16)}… (${manifest.segment.bytes} bytes): bytes were changed`);
    return undefined;
  }
  leaves.sort((a, b) => a[0] - b[0]);
  const ranges = indexRanges(leaves.map(([seq]) => seq));
  if (JSON.stringify(ranges) !== JSON.stringify(manifest.leaves.ranges)) {
    problem('leaves-mismatch', declared.name, `the lines hold leaves ${describeRanges(ranges)} but the manifest lists ${describeRanges(manifest.leaves.ranges)}`);
    return undefined;
  }
  try {
    const root = rootFromMultiProof(leaves, manifest.proof.treeSize, manifest.proof.hashes.map((h) => Buffer.from(h, 'base64')));
    if (manifest.proof.treeSize !== head.size || !root.equals(head.root)) {
      problem('proof-invalid', declared.name, `the recomputed leaves and proof give a root that is not the signed root of size ${head.size}`);
      return undefined;
    }
  } catch (error) {
    problem('proof-invalid', declared.name, (error as Error).message);
    return undefined;
  }
  return { manifest, events: leaves.length };
}

async function checkIndex(target: ArchiveTarget, declared: ReadonlyMap<string, DeclaredSegment>, problem: (kind: ArchiveProblemKind, object: string, detail: string) => void): Promise<void> {
  let index;
  try {
    index = await readArchiveIndex(target);
  } catch (error) {
    if (error instanceof ArchiveIndexError || error instanceof z.ZodError) {
      problem('index-mismatch', 'index.json', error.message);
      return;
    }
    throw error;
  }
  if (!index) {
    if (declared.size > 0) problem('index-mismatch', 'index.json', 'the archive has no index: readers fall back to listing manifests');
    return;
  }
  const listed = new Set(index.segments.map((entry) => entry.name));
  for (const entry of index.segments) {
    const signed = declared.get(entry.name);
    if (!signed) problem('index-mismatch', 'index.json', `lists ${entry.name}, which no signed run declares or which was expired`);
    else if (signed.sha256 !== entry.sha256) problem('index-mismatch', 'index.json', `gives ${entry.name} a sha256 other than its signed run`);
  }
  for (const name of declared.keys()) if (!listed.has(name)) problem('index-mismatch', 'index.json', `omits ${name}: queries and hunts would not read it`);
}

function sha256Matches(actual: string, manifest: SegmentManifest): boolean {
  return actual === manifest.segment.sha256;
}

function describeRanges(ranges: ReadonlyArray<readonly [number, number]>): string {
  const shown = ranges.slice(0, 3).map(([from, to]) => (to - from === 1 ? `${from}` : `${from}–${to - 1}`));
  return ranges.length > 3 ? `${shown.join(', ')} … (${ranges.length} ranges)` : shown.join(', ');
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
