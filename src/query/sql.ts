/**
 * A piece of SQL with the parameters its placeholders take, in text order. Building queries
 * only from fragments keeps placeholders and values aligned however the pieces are combined.
 */
export interface Sql {
  readonly text: string;
  readonly params: readonly unknown[];
}

/** Trusted SQL text (keywords, known column names), never user input. */
export function rawSql(text: string): Sql {
  return { text, params: [] };
}

/** Interpolates fragments: sql`${a} AND ${b}`. Only fragments go in, so user text cannot slip in raw. */
export function sql(strings: TemplateStringsArray, ...parts: readonly Sql[]): Sql {
  let text = strings[0];
  const params: unknown[] = [];
  parts.forEach((part, i) => {
    text += part.text + strings[i + 1];
    params.push(...part.params);
  });
  return { text, params };
}

export function joinSql(parts: readonly Sql[], separator: string): Sql {
  return { text: parts.map((part) => part.text).join(separator), params: parts.flatMap((part) => part.params) };
}

export function parenthesize(part: Sql): Sql {
  return { text: `(${part.text})`, params: part.params };
}

export function sameSql(a: Sql, b: Sql): boolean {
  return a.text === b.text && a.params.length === b.params.length && a.params.every((param, i) => Object.is(param, b.params[i]));
}
