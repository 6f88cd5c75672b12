/** What `vigil verify` reports, and how findings from several checks become one list of ranges. */

export type RangeKind = 'intact' | 'modified' | 'deleted' | 'inserted' | 'reordered' | 'truncated' | 'expired' | 'archived';

/**
 * Records with seq in [from, to) share one verdict. The ranges of a report tile [0, end) in order,
 * except for empty stretches between rows forged beyond the log's end.
 */
export interface LedgerRange {
  from: number;
  to: number;
  kind: RangeKind;
  detail: string;
}

export type WitnessStatus = 'consistent' | 'forked' | 'ahead-of-store' | 'bad-signature' | 'not-checkable';

export interface WitnessResult {
  witness: string;
  /** Size of the checkpoint the witness holds; null when it could not be read. */
  size: number | null;
  status: WitnessStatus;
  detail: string;
}

export interface VerifyReport {
  /** True only when every range is intact, expired or archived, every checkpoint checks out and no witness disagrees. */
  intact: boolean;
  /** Rows read from the store. */
  records: number;
  ranges: LedgerRange[];
  checkpoints: {
    /** Stored checkpoints whose signed root was recomputed from the records and matched. */
    verified: number;
    /** Stored checkpoints that fall where records are missing or expired, so their root cannot be recomputed. */
    notCheckable: number;
    /** Everything wrong with the checkpoints themselves (bad signatures, altered frontiers, forks). */
    problems: string[];
  };
  witnesses: WitnessResult[];
  /**
   * Intact records no verified checkpoint root covers: normally only the last second of a live
   * log; also records right after a gap, up to the next checkpoint. Their bytes were checked
   * against their recorded leaf hashes, but no signature vouches for those hashes yet.
   */
  uncovered: Array<{ from: number; to: number }>;
}

/**
 * One observation about [from, to). Where observations overlap, the higher precedence names the
 * range: what is known of a single row beats what a checkpoint root says about a whole interval,
 * which beats what a witness says about the whole prefix.
 */
export interface Finding {
  from: number;
  to: number;
  kind: Exclude<RangeKind, 'intact' | 'archived'>;
  detail: string;
  precedence: number;
  /** Index of the retention declaration this finding relies on, or -1: it is withdrawn if that declaration is not intact. */
  expiredBy: number;
  /** How many findings were merged into this one (adjacent, same kind and origin). */
  merged: number;
}

export const PRECEDENCE = { witness: 1, checkpoint: 2, row: 3, duplicate: 4 } as const;

/** An append-only list that merges a finding into the previous one when it continues it. */
export class FindingList {
  readonly items: Finding[] = [];

  add(finding: Omit<Finding, 'merged'>): void {
    const last = this.items[this.items.length - 1];
    const continues = last && last.to === finding.from && last.kind === finding.kind;
    if (continues && last.precedence === finding.precedence && last.expiredBy === finding.expiredBy) {
      last.to = finding.to;
      last.merged += 1;
      return;
    }
    this.items.push({ ...finding, merged: 1 });
  }
}

/** Tiles [0, end) with the highest-precedence finding at each point; no finding means intact. */
export function assembleRanges(end: number, findings: readonly Finding[]): LedgerRange[] {
  const points = [...new Set([0, end, ...findings.flatMap((f) => [f.from, f.to])])].filter((p) => p >= 0 && p <= end).sort((a, b) => a - b);
  const starting = groupBy(findings, (f) => f.from);
  const active = new Set<Finding>();
  const tiles: Array<{ from: number; to: number; kind: RangeKind; sources: Set<Finding> }> = [];
  for (let i = 0; i < points.length - 1; i++) {
    const [from, to] = [points[i], points[i + 1]];
    for (const f of active) if (f.to <= from) active.delete(f);
    for (const f of starting.get(from) ?? []) active.add(f);
    const top = strongest(active);
    const kind = top?.kind ?? 'intact';
    const last = tiles[tiles.length - 1];
    if (last && last.kind === kind) last.to = to;
    else tiles.push({ from, to, kind, sources: new Set() });
    if (top) tiles[tiles.length - 1].sources.add(top);
  }
  return tiles.map(({ from, to, kind, sources }) => ({ from, to, kind, detail: describe([...sources]) }));
}

function strongest(active: Set<Finding>): Finding | undefined {
  let best: Finding | undefined;
  for (const f of active) if (!best || f.precedence >= best.precedence) best = f;
  return best;
}

function describe(sources: Finding[]): string {
  if (sources.length === 0) return 'leaf hashes recomputed and matched';
  const more = sources.reduce((sum, f) => sum + f.merged, 0) - 1;
  return more > 0 ? `${sources[0].detail} (and ${more} more like it)` : sources[0].detail;
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** A leaf range moved to the archive, as `relabelArchived` names it. */
export interface ArchivedSpan {
  from: number;
  to: number;
  declaredBy: number;
  target: string;
  /** Seq of the record that removed it from the archive by policy: the range stays expired. */
  expiredBy?: number;
}

/**
 * Archived records are absent from the store like expired ones, and verified the same way (a
 * signed record declares them); this names the parts of expired ranges that the archive holds,
 * and those it held until a signed expiry removed them.
 * `archived` is ascending and disjoint.
 */
export function relabelArchived(ranges: readonly LedgerRange[], archived: readonly ArchivedSpan[]): LedgerRange[] {
  if (archived.length === 0) return [...ranges];
  const out: LedgerRange[] = [];
  const push = (range: LedgerRange) => {
    const last = out[out.length - 1];
    if (last && last.kind === range.kind && last.to === range.from && last.detail === range.detail) last.to = range.to;
    else out.push(range);
  };
  for (const range of ranges) {
    if (range.kind !== 'expired') {
      push(range);
      continue;
    }
    let at = range.from;
    for (const span of archived) {
      if (span.to <= at || span.from >= range.to) continue;
      if (span.from > at) push({ ...range, from: at, to: span.from });
      const to = Math.min(span.to, range.to);
      const detail = `moved to ${span.target} by the archive record at seq ${span.declaredBy}`;
      if (span.expiredBy === undefined) push({ from: Math.max(at, span.from), to, kind: 'archived', detail });
      else push({ from: Math.max(at, span.from), to, kind: 'expired', detail: `${detail}, then removed from it by policy (the expiry record at seq ${span.expiredBy})` });
      at = to;
    }
    if (at < range.to) push({ ...range, from: at });
  }
  return out;
}
