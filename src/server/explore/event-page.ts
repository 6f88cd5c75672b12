import { rowToDocument } from '../../model/document.js';
import type { Store, TimeRange } from '../../store/store.js';
import { BadRequest, asBadRequest } from './explore-input.js';

/**
 * Keyset paging over events newest first (`@timestamp` desc, then ledger seq desc). A cursor
 * names the last event shown (its time and seq) and how many shown events share that time, so
 * the next page is a query up to and including that millisecond that skips what was shown:
 * no OFFSET, so page 1000 costs what page 1 does, and events arriving meanwhile never shift
 * a page. A seq is unique within one ledger log; the scale-out store holds one log per
 * partition, so events of several logs can share time and seq: the cursor then also names the
 * ids shown with exactly that time and seq.
 */

interface Cursor {
  /** Time of the last event shown, epoch ms. */
  t: number;
  /** Its ledger seq. */
  s: number;
  /** Events shown with time `t`: a hint of how many rows to read past. */
  k: number;
  /** Ids shown with time `t` and seq `s` (absent: only the one event a single log can have there). */
  i?: string[];
}

export interface EventPage {
  events: Record<string, unknown>[];
  /** Present when more events follow. */
  nextCursor?: string;
}

export async function eventPage(store: Store, filter: string, range: TimeRange, limit: number, cursorText: string | undefined): Promise<EventPage> {
  const cursor = cursorText === undefined || cursorText === '' ? undefined : decodeCursor(cursorText);
  const window: TimeRange = cursor ? { since: range.since, until: Math.min(range.until ?? Infinity, cursor.t + 1) } : range;
  let wanted = limit + 1 + (cursor?.k ?? 0);
  for (;;) {
    const rows = await store.query(filter, window, wanted).catch((error: unknown) => {
      throw asBadRequest(error);
    });
    const fresh = cursor ? rows.rows.filter((row) => !shownBefore(row, cursor)) : rows.rows;
    // Fewer rows than asked for means the range is exhausted; otherwise more rows than shown before share the cursor's time.
    if (fresh.length > limit || rows.rows.length < wanted) return pageOf(fresh, limit, cursor);
    wanted *= 2;
  }
}

function shownBefore(row: Record<string, unknown>, cursor: Cursor): boolean {
  if (Number(row.ts) !== cursor.t) return false;
  const seq = Number(row.seq);
  if (seq !== cursor.s || cursor.i === undefined) return seq >= cursor.s;
  return cursor.i.includes(String(row.id));
}

function pageOf(rows: Record<string, unknown>[], limit: number, cursor: Cursor | undefined): EventPage {
  const shown = rows.slice(0, limit);
  const events = shown.map(rowToDocument);
  if (rows.length <= limit) return { events };
  const last = shown[shown.length - 1];
  const t = Number(last.ts);
  const sameTime = shown.filter((row) => Number(row.ts) === t).length + (cursor?.t === t ? cursor.k : 0);
  const s = Number(last.seq);
  const atCursor = cursor?.t === t && cursor.s === s ? (cursor.i ?? []) : [];
  const ids = [...atCursor, ...shown.filter((row) => Number(row.ts) === t && Number(row.seq) === s).map((row) => String(row.id))];
  return { events, nextCursor: encodeCursor({ t, s, k: sameTime, i: ids }) };
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(text: string): Cursor {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  const cursor = value as Partial<Cursor> | undefined;
  const ids = cursor?.i;
  const idsValid = ids === undefined || (Array.isArray(ids) && ids.every((id) => typeof id === 'string'));
  if (!cursor || !Number.isSafeInteger(cursor.t) || !Number.isSafeInteger(cursor.s) || !Number.isSafeInteger(cursor.k) || (cursor.k as number) < 0 || !idsValid) {
    throw new BadRequest('cursor is not one this server handed out; start again without a cursor');
  }
  return cursor as Cursor;
}
