/**
 * Sigma's `condition` expression: `and`, `or`, `not`, parentheses, search identifiers, and
 * `1 of pattern*` / `all of pattern*` / `N of …` / `… of them`. Binding from loosest to tightest:
 * `or`, `and`, `not`, `x of`, parentheses (sigma-rules-specification.md, "Condition").
 */

export type SigmaCondition =
  | { type: 'and'; children: SigmaCondition[] }
  | { type: 'or'; children: SigmaCondition[] }
  | { type: 'not'; child: SigmaCondition }
  | { type: 'identifier'; name: string }
  /** `count` identifiers matching `pattern` (`them`: all not starting with `_`) must match; count 'all' for all. */
  | { type: 'of'; count: number | 'all'; pattern: string };

type Token = { kind: 'word'; text: string; at: number } | { kind: '('; at: number } | { kind: ')'; at: number };

export function parseSigmaCondition(text: string): SigmaCondition {
  const tokens = tokenize(text);
  let position = 0;
  const fail = (message: string): never => {
    const at = tokens[position]?.at ?? text.length;
    throw new Error(`condition "${text}": ${message} at character ${at + 1}`);
  };
  const peekWord = (): string | undefined => {
    const token = tokens[position];
    return token?.kind === 'word' ? token.text.toLowerCase() : undefined;
  };
  const orExpression = (): SigmaCondition => {
    const children = [andExpression()];
    while (peekWord() === 'or') {
      position++;
      children.push(andExpression());
    }
    return children.length === 1 ? children[0] : { type: 'or', children };
  };
  const andExpression = (): SigmaCondition => {
    const children = [notExpression()];
    while (peekWord() === 'and') {
      position++;
      children.push(notExpression());
    }
    return children.length === 1 ? children[0] : { type: 'and', children };
  };
  const notExpression = (): SigmaCondition => {
    if (peekWord() === 'not') {
      position++;
      return { type: 'not', child: notExpression() };
    }
    return primary();
  };
  const primary = (): SigmaCondition => {
    const token = tokens[position];
    if (token === undefined) return fail('unexpected end');
    if (token.kind === '(') {
      position++;
      const inner = orExpression();
      if (tokens[position]?.kind !== ')') fail('expected ")"');
      position++;
      return inner;
    }
    if (token.kind === ')') return fail('unexpected ")"');
    position++;
    const word = token.text.toLowerCase();
    const quantity = word === 'all' ? 'all' : word === 'any' ? 1 : /^\d+$/.test(word) ? Number(word) : undefined;
    if (quantity !== undefined && peekWord() === 'of') {
      position++;
      const target = tokens[position];
      if (target?.kind !== 'word') return fail('expected an identifier pattern or "them" after "of"');
      position++;
      return { type: 'of', count: quantity, pattern: target.text };
    }
    if (['and', 'or', 'not', 'of'].includes(word)) return fail(`unexpected "${token.text}"`);
    return { type: 'identifier', name: token.text };
  };
  const result = orExpression();
  if (position < tokens.length) fail('expected "and", "or" or the end');
  return result;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s*(?:(\()|(\))|([^\s()]+))/gy;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(text)) !== null) {
    const at = match.index + match[0].length - (match[1] ?? match[2] ?? match[3]).length;
    if (match[1]) tokens.push({ kind: '(', at });
    else if (match[2]) tokens.push({ kind: ')', at });
    else tokens.push({ kind: 'word', text: match[3], at });
  }
  return tokens;
}

/** Identifier names an `of` pattern covers: `them` is every name not starting with `_`. */
export function identifiersMatching(pattern: string, names: readonly string[]): string[] {
  if (pattern.toLowerCase() === 'them') return names.filter((name) => !name.startsWith('_'));
  const regex = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return names.filter((name) => regex.test(name));
}
