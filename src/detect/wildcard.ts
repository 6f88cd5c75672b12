/**
 * Compiles a wildcard pattern (`*` any run, `?` one character, `\` escapes) into the cheapest
 * string test: equality, prefix, suffix or substring when the pattern allows, a regex otherwise.
 * The caller lowercases the input for case-insensitive patterns; the pattern is lowercased here.
 */
export function compileWildcard(pattern: string, caseInsensitive: boolean): (text: string) => boolean {
  const source = caseInsensitive ? pattern.toLowerCase() : pattern;
  const tokens = tokenize(source);
  const literal = (token: Token): token is string => typeof token === 'string';
  const isStar = (token: Token): boolean => token === STAR;
  if (tokens.every(literal)) {
    const text = tokens.join('');
    return (value) => value === text;
  }
  if (tokens.length === 2 && literal(tokens[0]) && isStar(tokens[1])) {
    const prefix = tokens[0];
    return (value) => value.startsWith(prefix);
  }
  if (tokens.length === 2 && isStar(tokens[0]) && literal(tokens[1])) {
    const suffix = tokens[1];
    return (value) => value.endsWith(suffix);
  }
  if (tokens.length === 3 && isStar(tokens[0]) && literal(tokens[1]) && isStar(tokens[2])) {
    const middle = tokens[1];
    return (value) => value.includes(middle);
  }
  const regex = new RegExp(`^${tokens.map(toRegexSource).join('')}$`, 's');
  return (value) => regex.test(value);
}

const STAR = Symbol('star');
const ANY_ONE = Symbol('any-one');
type Token = string | typeof STAR | typeof ANY_ONE;

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  let literal = '';
  const flush = (): void => {
    if (literal !== '') tokens.push(literal);
    literal = '';
  };
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === '\\' && i + 1 < pattern.length && '*?\\'.includes(pattern[i + 1])) {
      literal += pattern[++i];
    } else if (char === '*') {
      flush();
      if (tokens[tokens.length - 1] !== STAR) tokens.push(STAR);
    } else if (char === '?') {
      flush();
      tokens.push(ANY_ONE);
    } else {
      literal += char;
    }
  }
  flush();
  return tokens;
}

function toRegexSource(token: Token): string {
  if (token === STAR) return '.*';
  if (token === ANY_ONE) return '.';
  return token.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
