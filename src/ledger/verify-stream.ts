import { type ParsedCheckpoint, type VerifierKey, verifyCheckpoint } from './checkpoint.js';
import { MerkleFrontier, leafHash } from './merkle.js';
import { RowClassifier, type RowFinding } from './row-classifier.js';
import { type Finding, FindingList, PRECEDENCE, type VerifyReport, type WitnessResult, assembleRanges } from './verify-report.js';

/**
 * The core of `vigil verify`: one pass over the stored records in seq order, holding O(log n)
 * hashes for the tree plus a fixed window of rows, never the whole log.
 *
 * How each tamper shows, given that every row keeps the leaf hash recorded at append time and
 * every stored checkpoint keeps the frontier (the perfect-subtree roots) at its size:
 * - The running tree is fed the RECORDED leaf hashes. When a signed root matches, the recorded
 *   hashes up to it are authentic, so any row whose bytes hash differently is pinned to that row
 *   (RowClassifier names it modified / reordered / inserted / deleted from its neighbours).
 * - A second tree fed the hashes of the bytes starts only at the first row where the two differ.
 *   If it matches the signed root instead, the bytes are authentic and the recorded hash column
 *   was altered; the rows that differ are still the ones reported.
 * - If neither matches, the rows were changed together with their recorded hashes (or moved with
 *   them). Signed roots cannot say which row; the frontier stored with the checkpoint can say
 *   which perfect subtrees differ, so the range reported is the interval since the previous
 *   checkpoint cut down to those subtrees. Verification then restarts from the signed frontier,
 *   so one tamper does not condemn everything after it.
 * - A seq gap is deleted (expired inside a retention range). The tree cannot be carried across
 *   it; it restarts at the next checkpoint with a stored frontier (or the retention frontier).
 * - Rows beyond the ledger's size are inserted; a second row with the same seq is inserted.
 * - Records ending before the ledger's own size, a stored checkpoint or a witness's checkpoint
 *   are truncated: a rollback or an older copy restored.
 * - A witness whose signed root differs from the records at its size proves a rewritten, re-signed
 *   history (fork): only a witness can catch that, since the store's own checkpoints were re-signed.
 * Consistency between successive checkpoints needs no proof here: both roots are recomputed from
 * the same leaves, which is what a consistency proof would show.
 */

export interface StoredRecord {
  /** The record's leaf index, 0-based. */
  seq: number;
  /** The exact bytes the ledger hashes; null when the record is gone but its leaf hash was kept. */
  leafBytes: Uint8Array | string | null;
  /**
   * The leaf hash of the record's bytes when the caller computed it already (`vigil verify` hashes
   * in worker threads): used instead of hashing `leafBytes`; null means the record is gone.
   */
  contentHash?: Buffer | null;
  /** The leaf hash recorded when the record was appended; null when none is stored for it. */
  recordedLeafHash: Buffer | null;
  /**
   * Set by the caller when the columns a query returns differ from those it re-derived from
   * `leafBytes`, naming what differs (e.g. "user.name: stored alice, record bob").
   */
  columnMismatch?: string;
}

export interface StoredCheckpoint {
  note: string;
  /** MerkleFrontier.serialize() at the checkpoint's size, kept beside it (see the comment above). */
  frontier?: Buffer;
}

export interface WitnessCheckpoint {
  witness: string;
  /** The note the witness holds; null when it holds none. */
  note: string | null;
}

/** Records [from, to) removed by the retention record at seq `declaredBy`. */
export interface RetentionDeclaration {
  from: number;
  to: number;
  declaredBy: number;
  /** MerkleFrontier.serialize() at size `to`, needed when the range's leaf hashes were removed too. */
  frontierAtTo?: Buffer;
}

export interface VerifyInput {
  /** Ascending seq. An asynchronous source may yield a chunk of records at a time, saving a promise per record. */
  records: AsyncIterable<StoredRecord | readonly StoredRecord[]> | Iterable<StoredRecord>;
  /** The tree size the store itself recorded (its persisted frontier's size). */
  ledgerSize: number;
  /** Ascending size. */
  checkpoints: AsyncIterable<StoredCheckpoint> | Iterable<StoredCheckpoint>;
  witnesses: readonly WitnessCheckpoint[];
  retention: readonly RetentionDeclaration[];
  verifier: VerifierKey;
  /** How far (in rows) to look for a record's true position when it is out of place; default 64. */
  reorderWindow?: number;
}

export async function verifyLedger(input: VerifyInput): Promise<VerifyReport> {
  const run = new VerifyRun(input);
  await run.checkpointsAt(0);
  const { records } = input;
  // A synchronous source (better-sqlite3's iterate()) is read without a promise per row.
  if (Symbol.asyncIterator in records) {
    for await (const item of records) {
      if (isChunk(item)) await acceptAll(run, item);
      else await run.accept(item);
    }
  } else {
    await acceptAll(run, records);
  }
  return run.finish();
}

async function acceptAll(run: VerifyRun, records: Iterable<StoredRecord>): Promise<void> {
  for (const record of records) {
    const pending = run.accept(record);
    if (pending) await pending;
  }
}

function isChunk(item: StoredRecord | readonly StoredRecord[]): item is readonly StoredRecord[] {
  return Array.isArray(item);
}

interface SignedHead {
  size: number;
  root: Buffer;
  /** The authenticated frontier at `size`, when one was stored and folds to the signed root. */
  frontier: MerkleFrontier | null;
}

class VerifyRun {
  private pos = 0;
  private lastSeq = -1;
  private records = 0;
  /** Fed recorded leaf hashes; null while the tree state is unknown (after a gap). */
  private frontier: MerkleFrontier | null = MerkleFrontier.empty();
  /** Fed the hashes of the bytes; exists only once they differ from the recorded ones. */
  private contentFrontier: MerkleFrontier | null = null;
  private intervalStart = 0;
  private readonly covered: Array<{ from: number; to: number }> = [];
  private readonly rowFindings = new FindingList();
  private readonly gapFindings = new FindingList();
  private readonly checkpointFindings = new FindingList();
  private readonly otherFindings: Finding[] = [];
  private readonly problems: string[] = [];
  private verified = 0;
  private notCheckable = 0;
  private readonly checkpoints: CheckpointQueue;
  private readonly witnesses: Array<{ name: string; head: SignedHead }> = [];
  private nextWitness = 0;
  private readonly witnessResults: WitnessResult[] = [];
  private readonly retention: RetentionDeclaration[];
  private retentionCursor = 0;
  private readonly retentionRecordIntact = new Map<number, boolean>();
  private readonly classifier: RowClassifier;

  constructor(private readonly input: VerifyInput) {
    requireCount('ledger size', input.ledgerSize);
    this.retention = sortedRetention(input.retention);
    for (const declaration of this.retention) this.retentionRecordIntact.set(declaration.declaredBy, false);
    this.checkpoints = new CheckpointQueue(input.checkpoints, input.verifier, this.problems);
    this.readWitnesses();
    this.classifier = new RowClassifier(input.reorderWindow ?? 64, (seq, finding) => this.onRowVerdict(seq, finding));
  }

  /** Returns a promise only when the row needs asynchronous work (the next checkpoint, a gap). */
  accept(record: StoredRecord): Promise<void> | undefined {
    const { seq } = record;
    if (seq !== this.pos || seq >= this.input.ledgerSize) return this.acceptOutOfLine(record);
    this.records += 1;
    this.lastSeq = seq;
    this.place(record);
    if (!this.frontier || this.pos >= this.nextCheckSize()) return this.checkpointsAt(this.pos);
    return undefined;
  }

  /** A row that is not simply the next leaf: a duplicate, after a gap, or beyond the ledger. */
  private async acceptOutOfLine(record: StoredRecord): Promise<void> {
    const { seq } = record;
    requireCount('record seq', seq);
    if (seq < this.lastSeq) throw new Error(`records must come in ascending seq order; got seq ${seq} after ${this.lastSeq}`);
    this.records += 1;
    if (seq === this.lastSeq) {
      this.otherFindings.push(finding(seq, seq + 1, 'inserted', `a second row claims seq ${seq}`, PRECEDENCE.duplicate));
      return;
    }
    this.lastSeq = seq;
    if (!(await this.isTreePosition(seq))) {
      this.otherFindings.push(finding(seq, seq + 1, 'inserted', `seq ${seq} is beyond the ledger's ${this.input.ledgerSize} leaves: no leaf was ever recorded for it`, PRECEDENCE.row));
      return;
    }
    if (seq > this.pos) await this.skipMissing(seq);
    this.place(record);
    await this.checkpointsAt(this.pos);
  }

  private place(record: StoredRecord): void {
    const content = record.contentHash !== undefined ? record.contentHash : record.leafBytes === null ? null : leafHash(record.leafBytes);
    this.feed(content, record.recordedLeafHash);
    this.classifier.push(record.seq, content, record.recordedLeafHash, record.columnMismatch ?? null, this.retentionIndexOf(record.seq));
    this.pos = record.seq + 1;
  }

  /** The smallest size at which a stored or witness checkpoint waits to be checked. */
  private nextCheckSize(): number {
    const witness = this.witnesses[this.nextWitness]?.head.size ?? Number.POSITIVE_INFINITY;
    return Math.min(this.checkpoints.peekedSize(), witness);
  }

  async finish(): Promise<VerifyReport> {
    this.classifier.flush();
    const expectedEnd = await this.reportTruncation();
    if (this.pos > this.input.ledgerSize) {
      this.problems.push(`the store says its ledger has ${this.input.ledgerSize} leaves, yet signed checkpoints cover ${this.pos}: the ledger's own head was altered`);
    }
    const findings = this.withdrawUnauthorisedExpiry([...this.rowFindings.items, ...this.gapFindings.items, ...this.checkpointFindings.items, ...this.otherFindings]);
    const logEnd = Math.max(this.pos, expectedEnd);
    const end = Math.max(logEnd, ...findings.map((f) => f.to));
    // Past the log's end only forged rows exist; the empty stretches between them are no records at all.
    const ranges = assembleRanges(end, findings).flatMap((range) => (range.kind !== 'intact' || range.to <= logEnd ? [range] : range.from >= logEnd ? [] : [{ ...range, to: logEnd }]));
    const intact =
      ranges.every((range) => range.kind === 'intact' || range.kind === 'expired') &&
      this.problems.length === 0 &&
      this.witnessResults.every((result) => result.status === 'consistent' || result.status === 'not-checkable');
    return {
      intact,
      records: this.records,
      ranges,
      checkpoints: { verified: this.verified, notCheckable: this.notCheckable, problems: this.problems },
      witnesses: this.witnessResults,
      uncovered: intersect(complement(this.covered, this.pos), ranges.filter((range) => range.kind === 'intact')),
    };
  }

  /** Evaluates every stored and witness checkpoint of size <= p not yet evaluated. */
  async checkpointsAt(p: number): Promise<void> {
    this.adoptRetentionFrontier(p);
    for (let next = await this.checkpoints.peek(); next && next.size <= p; next = await this.checkpoints.peek()) {
      await this.checkpoints.take();
      if (next.size < p) this.notCheckable += 1;
      else this.checkStored(next);
    }
    for (; this.nextWitness < this.witnesses.length && this.witnesses[this.nextWitness].head.size <= p; this.nextWitness++) {
      const { name, head } = this.witnesses[this.nextWitness];
      this.witnessResults.push(head.size < p ? notCheckable(name, head.size) : this.checkWitness(name, head));
    }
  }

  private feed(content: Buffer | null, recorded: Buffer | null): void {
    const treeHash = recorded ?? content;
    const contentHash = content ?? recorded;
    if (!treeHash || !contentHash || !this.frontier) {
      this.frontier = null;
      this.contentFrontier = null;
      return;
    }
    if (!this.contentFrontier && !contentHash.equals(treeHash)) this.contentFrontier = this.frontier.clone();
    this.frontier.append(treeHash);
    this.contentFrontier?.append(contentHash);
  }

  private async skipMissing(seq: number): Promise<void> {
    for (const piece of this.splitByRetention(this.pos, seq)) {
      const last = piece.to - 1;
      const span = piece.from === last ? `seq ${last}` : `seq ${piece.from}–${last}`;
      if (piece.expiredBy >= 0) {
        const declaredBy = this.retention[piece.expiredBy].declaredBy;
        this.gapFindings.add({ ...piece, kind: 'expired', detail: `${span} removed by the retention record at seq ${declaredBy}`, precedence: PRECEDENCE.row });
      } else {
        this.gapFindings.add({ ...piece, kind: 'deleted', detail: `no record with ${span}: rows were deleted`, precedence: PRECEDENCE.row });
      }
    }
    this.frontier = null;
    this.contentFrontier = null;
    this.pos = seq;
    await this.checkpointsAt(seq);
  }

  private checkStored(head: SignedHead): void {
    if (!this.frontier) {
      this.notCheckable += 1;
      if (head.frontier) this.restartFrom(head.frontier, head.size);
      return;
    }
    const match = this.matching(head.root);
    if (match) {
      this.verified += 1;
      this.confirm(match, head.size);
      return;
    }
    this.reportRootMismatch(this.frontier, head);
    this.frontier = null;
    this.contentFrontier = null;
    if (head.frontier) this.restartFrom(head.frontier, head.size);
  }

  private checkWitness(name: string, head: SignedHead): WitnessResult {
    if (!this.frontier) return notCheckable(name, head.size);
    const match = this.matching(head.root);
    if (match) {
      this.confirm(match, head.size);
      return { witness: name, size: head.size, status: 'consistent', detail: `the records reproduce the root it holds for size ${head.size}` };
    }
    const detail = `witness ${name} holds a different signed root for size ${head.size}: the history was rewritten and re-signed, or rolled back and regrown (fork)`;
    this.otherFindings.push(finding(0, head.size, 'modified', detail, PRECEDENCE.witness));
    return { witness: name, size: head.size, status: 'forked', detail };
  }

  private matching(root: Buffer): MerkleFrontier | null {
    if (this.frontier?.root().equals(root)) return this.frontier;
    if (this.contentFrontier?.root().equals(root)) return this.contentFrontier;
    return null;
  }

  private confirm(match: MerkleFrontier, size: number): void {
    const last = this.covered[this.covered.length - 1];
    if (last && last.to === this.intervalStart) last.to = size;
    else if (size > this.intervalStart) this.covered.push({ from: this.intervalStart, to: size });
    this.restartFrom(match, size);
  }

  private restartFrom(frontier: MerkleFrontier, size: number): void {
    this.frontier = frontier.clone();
    this.contentFrontier = null;
    this.intervalStart = size;
  }

  private reportRootMismatch(frontier: MerkleFrontier, head: SignedHead): void {
    const candidates = head.frontier ? frontier.differingRanges(head.frontier) : [{ from: this.intervalStart, to: head.size }];
    const localized = candidates
      .map((range) => ({ from: Math.max(range.from, this.intervalStart), to: Math.min(range.to, head.size) }))
      .filter((range) => range.from < range.to);
    if (localized.length === 0) {
      this.problems.push(
        `the signed checkpoint at size ${head.size} disagrees with the records before seq ${this.intervalStart}, which an earlier signed root or a retention frontier vouched for: the log key signed two histories (fork) or a retention record is wrong`,
      );
      return;
    }
    const detail = `these records no longer add up to the signed checkpoint at size ${head.size}: changed together with their recorded leaf hashes, or moved or replaced`;
    for (const range of localized) this.checkpointFindings.add({ ...range, kind: 'modified', detail, precedence: PRECEDENCE.checkpoint, expiredBy: -1 });
  }

  private adoptRetentionFrontier(p: number): void {
    if (this.frontier) return;
    const declaration = this.retention.find((d) => d.to === p && d.frontierAtTo);
    if (!declaration?.frontierAtTo) return;
    const frontier = MerkleFrontier.deserialize(declaration.frontierAtTo);
    if (frontier.size !== p) {
      this.problems.push(`the retention record at seq ${declaration.declaredBy} carries a frontier of size ${frontier.size} for a range ending at ${p}`);
      return;
    }
    this.restartFrom(frontier, p);
  }

  private async isTreePosition(seq: number): Promise<boolean> {
    if (seq < this.input.ledgerSize) return true;
    if (this.witnesses.some((w) => w.head.size > seq)) return true;
    const next = await this.checkpoints.peek();
    return next !== null && next.size > seq;
  }

  /** Reports records missing at the end; returns the size the evidence says the log had. */
  private async reportTruncation(): Promise<number> {
    const evidence: Array<{ size: number; source: string }> = [{ size: this.input.ledgerSize, source: `the store's own ledger size (${this.input.ledgerSize})` }];
    for (let next = await this.checkpoints.take(); next; next = await this.checkpoints.take()) {
      evidence.push({ size: next.size, source: `the store's signed checkpoint of size ${next.size}` });
    }
    for (; this.nextWitness < this.witnesses.length; this.nextWitness++) {
      const { name, head } = this.witnesses[this.nextWitness];
      const detail = `witness ${name} holds a signed checkpoint of size ${head.size} but the store ends at ${this.pos} records`;
      this.witnessResults.push({ witness: name, size: head.size, status: 'ahead-of-store', detail });
      evidence.push({ size: head.size, source: `witness ${name}'s signed checkpoint of size ${head.size}` });
    }
    const strongest = evidence.reduce((best, e) => (e.size > best.size ? e : best));
    if (strongest.size <= this.pos) return this.pos;
    const detail = `the store ends at ${this.pos} records but ${strongest.source} says the log had ${strongest.size}: records were removed from the end or an older copy was restored (rollback)`;
    for (const piece of this.splitByRetention(this.pos, strongest.size)) {
      if (piece.expiredBy < 0) this.otherFindings.push(finding(piece.from, piece.to, 'truncated', detail, PRECEDENCE.row));
    }
    return strongest.size;
  }

  private onRowVerdict(seq: number, verdict: RowFinding | null): void {
    if (this.retentionRecordIntact.has(seq)) this.retentionRecordIntact.set(seq, verdict === null);
    if (verdict) this.rowFindings.add(verdict);
  }

  /** An expiry stands only if its retention record comes after the range, is intact, and a verified signed root covers it. */
  private withdrawUnauthorisedExpiry(findings: Finding[]): Finding[] {
    return findings.map((f) => {
      if (f.expiredBy < 0 || f.kind !== 'expired') return f;
      const { declaredBy, to } = this.retention[f.expiredBy];
      const signed = this.covered.some((range) => range.from <= declaredBy && declaredBy < range.to);
      if (declaredBy >= to && signed && this.retentionRecordIntact.get(declaredBy)) return f;
      return {
        ...f,
        kind: 'deleted',
        detail: `${f.detail}, but that retention record is missing, altered, not yet signed or precedes the range: the removal is not authorised`,
      };
    });
  }

  private retentionIndexOf(seq: number): number {
    while (this.retentionCursor < this.retention.length && this.retention[this.retentionCursor].to <= seq) this.retentionCursor++;
    const declaration = this.retention[this.retentionCursor];
    return declaration && declaration.from <= seq ? this.retentionCursor : -1;
  }

  private splitByRetention(from: number, to: number): Array<{ from: number; to: number; expiredBy: number }> {
    const pieces: Array<{ from: number; to: number; expiredBy: number }> = [];
    let at = from;
    this.retention.forEach((d, index) => {
      const start = Math.max(d.from, at);
      const stop = Math.min(d.to, to);
      if (start >= stop) return;
      if (start > at) pieces.push({ from: at, to: start, expiredBy: -1 });
      pieces.push({ from: start, to: stop, expiredBy: index });
      at = stop;
    });
    if (at < to) pieces.push({ from: at, to, expiredBy: -1 });
    return pieces;
  }

  private readWitnesses(): void {
    for (const { witness, note } of this.input.witnesses) {
      if (note === null) {
        this.witnessResults.push({ witness, size: null, status: 'not-checkable', detail: `witness ${witness} holds no checkpoint yet` });
        continue;
      }
      try {
        const checkpoint = verifyCheckpoint(note, this.input.verifier);
        this.witnesses.push({ name: witness, head: { size: checkpoint.size, root: checkpoint.root, frontier: null } });
      } catch (error) {
        this.witnessResults.push({ witness, size: null, status: 'bad-signature', detail: `witness ${witness}: ${(error as Error).message}` });
      }
    }
    this.witnesses.sort((a, b) => a.head.size - b.head.size);
  }
}

/** Stored checkpoints, pulled one ahead; those that fail their signature become problems. */
class CheckpointQueue {
  private readonly iterator: AsyncIterator<StoredCheckpoint> | Iterator<StoredCheckpoint>;
  private head: SignedHead | null | undefined;
  private lastSize = -1;

  constructor(
    source: AsyncIterable<StoredCheckpoint> | Iterable<StoredCheckpoint>,
    private readonly verifier: VerifierKey,
    private readonly problems: string[],
  ) {
    this.iterator = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
  }

  async peek(): Promise<SignedHead | null> {
    while (this.head === undefined) {
      const next = await this.iterator.next();
      this.head = next.done ? null : this.authenticate(next.value);
    }
    return this.head;
  }

  /** Size of the next checkpoint if already fetched (Infinity when none is left, -1 when not fetched yet). */
  peekedSize(): number {
    if (this.head === undefined) return -1;
    return this.head === null ? Number.POSITIVE_INFINITY : this.head.size;
  }

  async take(): Promise<SignedHead | null> {
    const head = await this.peek();
    if (head) this.head = undefined;
    return head;
  }

  /** The signed head, or undefined (and a problem noted) when the checkpoint cannot be trusted. */
  private authenticate(stored: StoredCheckpoint): SignedHead | undefined {
    let checkpoint: ParsedCheckpoint;
    try {
      checkpoint = verifyCheckpoint(stored.note, this.verifier);
    } catch (error) {
      this.problems.push(`stored checkpoint rejected: ${(error as Error).message}`);
      return undefined;
    }
    if (checkpoint.size < this.lastSize) throw new Error(`stored checkpoints must come by ascending size; got ${checkpoint.size} after ${this.lastSize}`);
    this.lastSize = checkpoint.size;
    return { size: checkpoint.size, root: checkpoint.root, frontier: this.authenticFrontier(stored, checkpoint.size, checkpoint.root) };
  }

  /** A stored frontier is trusted only if it folds to the signed root: finding another would take a SHA-256 collision. */
  private authenticFrontier(stored: StoredCheckpoint, size: number, root: Buffer): MerkleFrontier | null {
    if (!stored.frontier) return null;
    try {
      const frontier = MerkleFrontier.deserialize(stored.frontier);
      if (frontier.size === size && frontier.root().equals(root)) return frontier;
    } catch {
      // reported below like any other frontier that does not fit
    }
    this.problems.push(`the frontier stored with the checkpoint of size ${size} does not fold to its signed root: it was altered`);
    return null;
  }
}

function finding(from: number, to: number, kind: Finding['kind'], detail: string, precedence: number): Finding {
  return { from, to, kind, detail, precedence, expiredBy: -1, merged: 1 };
}

function notCheckable(name: string, size: number): WitnessResult {
  return { witness: name, size, status: 'not-checkable', detail: `records around size ${size} are missing or expired, so its root cannot be recomputed` };
}

function sortedRetention(declarations: readonly RetentionDeclaration[]): RetentionDeclaration[] {
  const sorted = [...declarations].sort((a, b) => a.from - b.from);
  sorted.forEach((d, i) => {
    requireCount('retention range start', d.from);
    requireCount('retention range end', d.to);
    if (d.from >= d.to) throw new Error(`retention range [${d.from}, ${d.to}) is empty or reversed`);
    const previous = sorted[i - 1];
    if (previous && previous.to > d.from) throw new Error(`retention ranges [${previous.from}, ${previous.to}) and [${d.from}, ${d.to}) overlap; merge them`);
  });
  return sorted;
}

function complement(covered: ReadonlyArray<{ from: number; to: number }>, end: number): Array<{ from: number; to: number }> {
  const gaps: Array<{ from: number; to: number }> = [];
  let at = 0;
  for (const range of covered) {
    if (range.from > at) gaps.push({ from: at, to: Math.min(range.from, end) });
    at = Math.max(at, range.to);
  }
  if (at < end) gaps.push({ from: at, to: end });
  return gaps.filter((gap) => gap.from < gap.to);
}

/** Both lists sorted and internally disjoint. */
function intersect(a: ReadonlyArray<{ from: number; to: number }>, b: ReadonlyArray<{ from: number; to: number }>): Array<{ from: number; to: number }> {
  const out: Array<{ from: number; to: number }> = [];
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    const from = Math.max(a[i].from, b[j].from);
    const to = Math.min(a[i].to, b[j].to);
    if (from < to) out.push({ from, to });
    if (a[i].to < b[j].to) i++;
    else j++;
  }
  return out;
}

function requireCount(what: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${what} must be a whole number >= 0, got ${value}`);
}
