/**
 * Falco's condition language as its k8s_audit rules use it:
 * `and` / `or` / `not` / parentheses over macro names and field checks
 * `FIELD[arg] OP value`, `FIELD OP (v1, v2, list_name)`, `FIELD exists`.
 * Precedence: `not` binds tighter than `and`, which binds tighter than `or`.
 */

const UNARY_OPERATORS = ['exists'] as const;
export const LIST_OPERATORS = ['in', 'intersects', 'pmatch'] as const;
const BINARY_OPERATORS = [
  '=',
  '==',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  'contains',
  'icontains',
  'bcontains',
  'startswith',
  'bstartswith',
  'endswith',
  'glob',
  'iglob',
  'regex',
] as const;
export type FalcoOperator = (typeof UNARY_OPERATORS)[number] | (typeof LIST_OPERATORS)[number] | (typeof BINARY_OPERATORS)[number];
export const ALL_OPERATORS: readonly FalcoOperator[] = [...UNARY_OPERATORS, ...LIST_OPERATORS, ...BINARY_OPERATORS];

const WORD_OPERATORS = new Set<string>([...UNARY_OPERATORS, ...LIST_OPERATORS, ...BINARY_OPERATORS.filter((op) => /^[a-z]/.test(op))]);
const SYMBOL_OPERATORS = ['<=', '>=', '!=', '==', '=', '<', '>'] as const;

export type FalcoExpression =
  | { type: 'and'; children: FalcoExpression[] }
  | { type: 'or'; children: FalcoExpression[] }
  | { type: 'not'; child: FalcoExpression }
  | { type: 'macro'; name: string }
  | FalcoCheck;

export interface FalcoCheck {
  type: 'check';
  field: string;
  arg?: string;
  operator: FalcoOperator;
  /** The right-hand side: none for `exists`, one value, or the items of `( … )` (list names not yet expanded). */
  values: string[];
}

export class FalcoSyntaxError extends Error {}

export function parseFalcoCondition(text: string): FalcoExpression {
  const parser = new Parser(text);
  const expression = parser.orExpression();
  parser.skipSpace();
  if (!parser.atEnd()) parser.fail('expected "and", "or" or the end of the condition');
  return expression;
}

class Parser {
  private position = 0;

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.position >= this.text.length;
  }

  fail(message: string): never {
    const before = this.text.slice(Math.max(0, this.position - 30), this.position);
    const after = this.text.slice(this.position, this.position + 30);
    throw new FalcoSyntaxError(`${message} at character ${this.position + 1}: …${before}⟨here⟩${after}…`);
  }

  skipSpace(): void {
    while (!this.atEnd() && /\s/.test(this.text[this.position])) this.position++;
  }

  /** Consumes a keyword (`and`, `or`, `not`) when it stands as a whole word here. */
  private keyword(word: string): boolean {
    this.skipSpace();
    const end = this.position + word.length;
    if (this.text.slice(this.position, end) !== word) return false;
    const next = this.text[end];
    if (next !== undefined && /[A-Za-z0-9_.]/.test(next)) return false;
    this.position = end;
    return true;
  }

  orExpression(): FalcoExpression {
    const children = [this.andExpression()];
    while (this.keyword('or')) children.push(this.andExpression());
    return children.length === 1 ? children[0] : { type: 'or', children };
  }

  private andExpression(): FalcoExpression {
    const children = [this.notExpression()];
    while (this.keyword('and')) children.push(this.notExpression());
    return children.length === 1 ? children[0] : { type: 'and', children };
  }

  private notExpression(): FalcoExpression {
    if (this.keyword('not')) return { type: 'not', child: this.notExpression() };
    return this.primary();
  }

  private primary(): FalcoExpression {
    this.skipSpace();
    if (this.text[this.position] === '(') {
      this.position++;
      const inner = this.orExpression();
      this.skipSpace();
      if (this.text[this.position] !== ')') this.fail('expected ")"');
      this.position++;
      return inner;
    }
    const name = this.identifier();
    const arg = this.argument();
    const operator = this.operator();
    if (operator === undefined) {
      if (arg !== undefined) this.fail(`expected an operator after the field ${name}[${arg}]`);
      return { type: 'macro', name };
    }
    if (operator === 'exists') return { type: 'check', field: name, arg, operator, values: [] };
    if ((LIST_OPERATORS as readonly string[]).includes(operator)) return { type: 'check', field: name, arg, operator, values: this.listValue() };
    return { type: 'check', field: name, arg, operator, values: [this.scalarValue()] };
  }

  private identifier(): string {
    this.skipSpace();
    const match = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(this.text.slice(this.position));
    if (match === null) this.fail('expected a field, a macro name, "not" or "("');
    this.position += match[0].length;
    return match[0];
  }

  /** `[…]` right after a field name: a JSON pointer, a key or an index. */
  private argument(): string | undefined {
    if (this.text[this.position] !== '[') return undefined;
    const close = this.text.indexOf(']', this.position);
    if (close < 0) this.fail('unclosed "[" after a field name');
    const arg = this.text.slice(this.position + 1, close);
    this.position = close + 1;
    return arg.length >= 2 && (arg[0] === '"' || arg[0] === "'") && arg.endsWith(arg[0]) ? arg.slice(1, -1) : arg;
  }

  private operator(): FalcoOperator | undefined {
    this.skipSpace();
    for (const symbol of SYMBOL_OPERATORS) {
      if (this.text.startsWith(symbol, this.position)) {
        this.position += symbol.length;
        return symbol;
      }
    }
    const word = /^[a-z]+/.exec(this.text.slice(this.position))?.[0];
    if (word === undefined || !WORD_OPERATORS.has(word)) return undefined;
    const next = this.text[this.position + word.length];
    if (next !== undefined && /[A-Za-z0-9_.]/.test(next)) return undefined;
    this.position += word.length;
    return word as FalcoOperator;
  }

  private scalarValue(): string {
    this.skipSpace();
    const quote = this.text[this.position];
    if (quote === '"' || quote === "'") return this.quoted(quote);
    const match = /^[^\s(),]+/.exec(this.text.slice(this.position));
    if (match === null) this.fail('expected a value');
    this.position += match[0].length;
    return match[0];
  }

  /** `( a, "b", list_name )`, or a bare list name. */
  private listValue(): string[] {
    this.skipSpace();
    if (this.text[this.position] !== '(') return [this.scalarValue()];
    this.position++;
    const items: string[] = [];
    for (;;) {
      this.skipSpace();
      if (this.text[this.position] === ')') {
        this.position++;
        return items;
      }
      if (this.atEnd()) this.fail('unclosed "(" in a list of values');
      items.push(this.scalarValue());
      this.skipSpace();
      if (this.text[this.position] === ',') this.position++;
    }
  }

  private quoted(quote: string): string {
    let value = '';
    this.position++;
    while (!this.atEnd()) {
      const char = this.text[this.position++];
      if (char === quote) return value;
      if (char === '\\' && !this.atEnd()) {
        const escaped = this.text[this.position++];
        value += ESCAPES[escaped] ?? escaped;
      } else {
        value += char;
      }
    }
    this.fail(`unclosed ${quote}`);
  }
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' };
