import type { FieldRef } from './field-ref.js';

/**
 * A filter with names resolved and values typed, ready for a dialect to render.
 * Semantics every dialect keeps:
 * - a field predicate never matches an event where the field is absent;
 * - `negated` means "the field is present and none of its values match" (`!=`, `!~`);
 * - `not` is a plain complement, so `not user=alice` includes events without a user;
 * - multi-valued fields (lists, `[*]` paths, paths ending on an array) match when any value does.
 */
export type Predicate =
  /** An empty `and` is true (a lone `*` in the query), an empty `or` false. */
  | { kind: 'and' | 'or'; items: readonly Predicate[] }
  | { kind: 'not'; item: Predicate }
  | FieldPredicate
  | TextPredicate;

export interface FieldPredicate {
  kind: 'field';
  field: FieldRef;
  matcher: Matcher;
  negated: boolean;
}

/** Full-text search in the message: a word, a "phrase", or a word prefix (`admin*`). */
export interface TextPredicate {
  kind: 'text';
  text: string;
  prefix: boolean;
}

/**
 * A value as typed, with its number when it reads as one. Number and time columns always have
 * `number` (time in epoch ms); raw paths compare loosely, by number when both sides are numbers
 * and by text otherwise.
 */
export interface Literal {
  text: string;
  number?: number;
}

export type Matcher =
  | { kind: 'equals'; values: readonly Literal[] }
  | { kind: 'compare'; operator: '>' | '>=' | '<' | '<='; value: Literal }
  /** `field=prefix*`: kept apart from other wildcards because it can use an index range. */
  | { kind: 'prefix'; prefix: string }
  /** `*` matches any run of characters; every other character is literal. Case-sensitive. */
  | { kind: 'wildcard'; pattern: string }
  /** A pattern accepted by `compileUserRegex`. */
  | { kind: 'regex'; pattern: string }
  | { kind: 'exists' };
