/**
 * The least string above every string that starts with `prefix`, so that `x >= prefix AND
 * x < bound` selects exactly the strings with that prefix and can use an index. Comparison is
 * by code point, which is the byte order of UTF-8 (SQLite's BINARY collation, ClickHouse's
 * string order). Undefined when no such string exists (the prefix is all U+10FFFF).
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const codePoints = Array.from(prefix, (char) => char.codePointAt(0) as number);
  while (codePoints.length > 0) {
    const next = successor(codePoints.pop() as number);
    if (next !== undefined) return String.fromCodePoint(...codePoints, next);
  }
  return undefined;
}

function successor(codePoint: number): number | undefined {
  const next = codePoint + 1;
  // Surrogate code points are not characters and cannot appear in UTF-8: skip over them.
  if (next >= 0xd800 && next <= 0xdfff) return 0xe000;
  return next <= 0x10ffff ? next : undefined;
}
