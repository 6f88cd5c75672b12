import type BetterSqlite3 from 'better-sqlite3';
import { compileUserRegex } from './user-regex.js';

/**
 * Registers the SQL functions compiled queries use on a better-sqlite3 connection: `regexp`,
 * which backs `x REGEXP pattern` (`field=~regex`), with the query language's regex semantics
 * (JavaScript syntax, unanchored, `(?i)` prefix for case-insensitive). Call once per connection.
 */
export function registerSqliteFunctions(db: BetterSqlite3.Database): void {
  db.function('regexp', { deterministic: true }, (pattern: unknown, value: unknown) => {
    if (value === null || value === undefined) return null;
    return compileUserRegex(String(pattern)).test(String(value)) ? 1 : 0;
  });
}
