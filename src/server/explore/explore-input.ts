import { QueryError, parseQuery, parseTimeBound } from '../../query/index.js';
import type { TimeRange } from '../../store/store.js';

/** What every events endpoint reads from its query string. */
export interface ExploreParams {
  q?: string;
  since?: string;
  until?: string;
}

/** A request the API answers 400, with a message that says what to change. */
export class BadRequest extends Error {
  override name = 'BadRequest';
}

/** `since`/`until` as epoch ms; relative bounds (`1h`) count back from `now`. */
export function timeRangeOf(params: ExploreParams, now: number): TimeRange {
  const bound = (name: string, text: string | undefined) => {
    if (text === undefined || text.trim() === '') return undefined;
    try {
      return parseTimeBound(text, now);
    } catch (error) {
      throw new BadRequest(`${name}: ${(error as Error).message}`);
    }
  };
  const range = { since: bound('since', params.since), until: bound('until', params.until) };
  if (range.since !== undefined && range.until !== undefined && range.since >= range.until) {
    throw new BadRequest(`since (${new Date(range.since).toISOString()}) must be before until (${new Date(range.until).toISOString()})`);
  }
  return range;
}

/** The query text, `*` when empty. */
export function queryTextOf(params: ExploreParams): string {
  const text = params.q?.trim() ?? '';
  return text === '' ? '*' : text;
}

/**
 * The query as a filter that stages can be appended to. Facets and the histogram aggregate
 * themselves, so a query with its own `| stage` is refused rather than silently changed.
 */
export function filterOf(params: ExploreParams, endpoint: string): string {
  const text = queryTextOf(params);
  if (hasStages(text)) throw new BadRequest(`${endpoint} takes a filter without | stages; got "${text}"`);
  return text;
}

/** Whether the query has `| stage`s; throws BadRequest for a query that does not parse. */
export function hasStages(text: string): boolean {
  try {
    return parseQuery(text).stages.length > 0;
  } catch (error) {
    throw asBadRequest(error);
  }
}

/** Query errors become 400s; anything else is the server's fault and stays as it is. */
export function asBadRequest(error: unknown): unknown {
  return error instanceof QueryError ? new BadRequest(error.message) : error;
}
