/** Remembers compiled patterns; queries reuse a handful, so a small bound is plenty. */
const cache = new Map<string, RegExp>();
const CACHE_LIMIT = 256;

/**
 * Compiles a query's regular expression (JavaScript syntax, unanchored like grep: add ^ and $ to
 * match whole values). A leading `(?i)` makes it case-insensitive, as in RE2, which ClickHouse uses.
 * Throws SyntaxError for an invalid pattern.
 */
export function compileUserRegex(pattern: string): RegExp {
  let regex = cache.get(pattern);
  if (regex === undefined) {
    const caseInsensitive = pattern.startsWith('(?i)');
    regex = new RegExp(caseInsensitive ? pattern.slice(4) : pattern, caseInsensitive ? 'i' : '');
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(pattern, regex);
  }
  return regex;
}
