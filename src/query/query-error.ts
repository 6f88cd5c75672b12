/**
 * A query that cannot be run as written: a syntax error, an unknown stage or field, a value of
 * the wrong type. `column` (1-based) points into the query text when the problem has a place.
 */
export class QueryError extends Error {
  override readonly name = 'QueryError';

  constructor(
    readonly detail: string,
    readonly column?: number,
  ) {
    super(column === undefined ? detail : `query error at column ${column}: ${detail}`);
  }

  /** An error at a 0-based offset of the query text. */
  static at(offset: number, detail: string): QueryError {
    return new QueryError(detail, offset + 1);
  }
}
