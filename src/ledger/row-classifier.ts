import { type Finding, PRECEDENCE } from './verify-report.js';

/**
 * Names what happened to one stored row by comparing the hash of its bytes (`content`) with the
 * leaf hash the ledger recorded for its position (`recorded`), and, when they differ, with the
 * rows around it (a window of ±`window` rows, held in a ring so memory does not grow):
 *
 *   content found recorded elsewhere | recorded found as content elsewhere | verdict
 *   yes                              | yes                                 | reordered: records swapped places
 *   yes                              | no                                  | deleted: this seq's record is gone, a neighbour moved in
 *   no                               | yes                                 | inserted: a foreign record pushed this seq's record aside
 *   no                               | no                                  | modified: the bytes were changed
 *
 * A row with recorded hash but no bytes is deleted (or expired by retention); bytes with no
 * recorded hash are modified (the ledger row was removed). Rows whose two hashes agree are intact
 * unless the caller found stored columns that differ from those re-derived from the bytes.
 */

interface RowSlot {
  seq: number;
  content: Buffer | null;
  recorded: Buffer | null;
  /** What differs between the stored columns and those re-derived from the bytes, if anything. */
  columnMismatch: string | null;
  /** Index of the retention declaration covering this seq, or -1. */
  expiredBy: number;
}

export type RowFinding = Omit<Finding, 'merged'>;

export class RowClassifier {
  private readonly ring: RowSlot[];
  private pushed = 0;
  private classified = 0;

  constructor(
    private readonly window: number,
    /** Called once per row, in push order, with its finding or null when intact. */
    private readonly report: (seq: number, finding: RowFinding | null) => void,
  ) {
    this.ring = Array.from({ length: 2 * window + 1 }, () => ({ seq: 0, content: null, recorded: null, columnMismatch: null, expiredBy: -1 }));
  }

  push(seq: number, content: Buffer | null, recorded: Buffer | null, columnMismatch: string | null, expiredBy: number): void {
    const slot = this.ring[this.pushed % this.ring.length];
    slot.seq = seq;
    slot.content = content;
    slot.recorded = recorded;
    slot.columnMismatch = columnMismatch;
    slot.expiredBy = expiredBy;
    this.pushed += 1;
    while (this.pushed - this.classified > this.window) this.classifyNext();
  }

  flush(): void {
    while (this.classified < this.pushed) this.classifyNext();
  }

  private classifyNext(): void {
    const slot = this.at(this.classified);
    this.report(slot.seq, this.verdict(this.classified, slot));
    this.classified += 1;
  }

  private verdict(index: number, slot: RowSlot): RowFinding | null {
    const { seq, content, recorded, expiredBy } = slot;
    const finding = (kind: Finding['kind'], detail: string): RowFinding => ({ from: seq, to: seq + 1, kind, detail, precedence: PRECEDENCE.row, expiredBy });
    if (content && recorded && content.equals(recorded)) {
      return slot.columnMismatch ? finding('modified', `stored columns at seq ${seq} differ from its record: ${slot.columnMismatch}`) : null;
    }
    if (!content) {
      return expiredBy >= 0
        ? finding('expired', `seq ${seq} removed by retention; its leaf hash remains in the ledger`)
        : finding('deleted', `the record at seq ${seq} is gone but the ledger recorded a leaf hash for it`);
    }
    if (!recorded) return finding('modified', `seq ${seq} has a record but no recorded leaf hash: the ledger row was removed`);
    const contentHome = this.find(index, (other) => other.recorded, content);
    const recordedHome = this.find(index, (other) => other.content, recorded);
    if (contentHome && recordedHome) return finding('reordered', `seq ${seq} holds the record the ledger recorded at seq ${contentHome.seq}`);
    if (contentHome) return finding('deleted', `the record recorded for seq ${seq} is gone; this row holds the record of seq ${contentHome.seq}`);
    if (recordedHome) {
      return finding('inserted', `seq ${seq} holds a record the ledger never recorded; the one recorded here now sits at seq ${recordedHome.seq}`);
    }
    return finding('modified', `record bytes at seq ${seq} hash to ${short(content)} but the ledger recorded ${short(recorded)}`);
  }

  private find(index: number, hashOf: (slot: RowSlot) => Buffer | null, wanted: Buffer): RowSlot | undefined {
    const first = Math.max(0, index - this.window, this.pushed - this.ring.length);
    const last = Math.min(this.pushed - 1, index + this.window);
    for (let i = first; i <= last; i++) {
      if (i === index) continue;
      const hash = hashOf(this.at(i));
      if (hash?.equals(wanted)) return this.at(i);
    }
    return undefined;
  }

  private at(index: number): RowSlot {
    return this.ring[index % this.ring.length];
  }
}

function short(hash: Buffer): string {
  return `${hash.toString('hex').slice(0, 12)}…`;
}
