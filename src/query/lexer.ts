import { QueryError } from './query-error.js';

export type Operator = '=' | '!=' | '=~' | '!~' | '>' | '>=' | '<' | '<=';

export type Token =
  | { kind: 'word'; text: string; pos: number }
  /** A double-quoted string; `text` is its content with `\"` and `\\` unescaped. */
  | { kind: 'string'; text: string; pos: number }
  | { kind: 'operator'; text: Operator; pos: number }
  | { kind: '(' | ')' | ',' | '|' | 'end'; text: string; pos: number };

/** Longest first, so `>=` is not read as `>` followed by `=`. */
const OPERATORS: readonly Operator[] = ['!=', '!~', '=~', '>=', '<=', '=', '>', '<'];
const PUNCTUATION = new Set(['(', ')', ',', '|']);
const WORD_BREAKS = new Set([' ', '\t', '\n', '\r', '"', '(', ')', ',', '|', '=', '<', '>']);

/**
 * Splits a query into tokens. A word runs until whitespace, a quote, punctuation or an operator,
 * so `user.name=admin` is three tokens and values with such characters need quotes.
 * Offsets (`pos`) are 0-based; the final token is `end`.
 */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const char = source[i];
    if (char === ' ' || char === '\t' || char === '\n' || char === '\r') {
      i++;
    } else if (char === '"') {
      const { text, next } = readString(source, i);
      tokens.push({ kind: 'string', text, pos: i });
      i = next;
    } else if (PUNCTUATION.has(char)) {
      tokens.push({ kind: char as '(' | ')' | ',' | '|', text: char, pos: i });
      i++;
    } else {
      const operator = OPERATORS.find((candidate) => source.startsWith(candidate, i));
      if (operator) {
        tokens.push({ kind: 'operator', text: operator, pos: i });
        i += operator.length;
      } else {
        const end = wordEnd(source, i);
        tokens.push({ kind: 'word', text: source.slice(i, end), pos: i });
        i = end;
      }
    }
  }
  tokens.push({ kind: 'end', text: '', pos: source.length });
  return tokens;
}

function wordEnd(source: string, start: number): number {
  let i = start;
  while (i < source.length && !WORD_BREAKS.has(source[i]) && !startsNegatedOperator(source, i)) i++;
  return i;
}

/** `!` alone is an ordinary character (`error!`); only `!=` and `!~` end a word. */
function startsNegatedOperator(source: string, i: number): boolean {
  return source[i] === '!' && (source[i + 1] === '=' || source[i + 1] === '~');
}

/**
 * Reads a double-quoted string starting at `start`. `\"` and `\\` are escapes; any other
 * backslash stays as written so regular expressions like "\d+" need no doubling.
 */
function readString(source: string, start: number): { text: string; next: number } {
  let text = '';
  let i = start + 1;
  while (i < source.length) {
    const char = source[i];
    if (char === '"') return { text, next: i + 1 };
    if (char === '\\' && (source[i + 1] === '"' || source[i + 1] === '\\')) {
      text += source[i + 1];
      i += 2;
    } else {
      text += char;
      i++;
    }
  }
  throw QueryError.at(start, 'unterminated quoted string: close it with " (write \\" for a quote inside)');
}
