import {
  AGGREGATE_FUNCTIONS,
  type AggregateFunction,
  type AggregateNode,
  type FieldName,
  type FilterNode,
  type QueryAst,
  STAGE_NAMES,
  type SortKeyNode,
  type StageNode,
  type ValueNode,
} from './ast.js';
import { fieldByName } from '../model/fields.js';
import { type Operator, type Token, tokenize } from './lexer.js';
import { QueryError } from './query-error.js';

/** `head` without a count, as in `head(1)`. */
const DEFAULT_HEAD = 10;

/**
 * Parses Vigil's query language:
 * `filter | stage | stage…`, where the filter combines terms (`field=value`, `field!=value`,
 * `field=~regex`, `field!~regex`, `field>n`, `>=`, `<`, `<=`, `field=(a, b)`, `field exists`,
 * free-text words and "phrases") with `not`, `and`, `or` and parentheses; terms side by side
 * mean `and`, and `and` binds tighter than `or`. Keywords are case-insensitive.
 */
export function parseQuery(source: string): QueryAst {
  const tokens = tokenize(source);
  try {
    return new Parser(tokens).query();
  } catch (error) {
    throw error instanceof QueryError ? withStageHint(error, tokens[0]) : error;
  }
}

/** `stats count() by user` without the `|` parses as free text and fails somewhere odd; say what was meant. */
function withStageHint(error: QueryError, first: Token): QueryError {
  const isStageName = first.kind === 'word' && (STAGE_NAMES as readonly string[]).includes(first.text.toLowerCase());
  if (!isStageName || error.column === undefined) return error;
  return new QueryError(`${error.detail}; stages start with "|", e.g. "| ${first.text} …"`, error.column);
}

class Parser {
  private index = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  query(): QueryAst {
    const filter = this.atStageBoundary() ? undefined : this.or();
    if (!this.atStageBoundary()) throw this.unexpected(this.peek());
    const stages: StageNode[] = [];
    while (this.peek().kind === '|') {
      this.next();
      stages.push(this.stage());
    }
    return { filter, stages };
  }

  private or(): FilterNode {
    const items = [this.and()];
    while (this.atKeyword('or')) {
      this.next();
      items.push(this.and());
    }
    return items.length === 1 ? items[0] : { kind: 'or', items };
  }

  private and(): FilterNode {
    const items = [this.unary()];
    for (;;) {
      if (this.atKeyword('and')) this.next();
      else if (!this.atTermStart()) break;
      items.push(this.unary());
    }
    return items.length === 1 ? items[0] : { kind: 'and', items };
  }

  private unary(): FilterNode {
    const token = this.peek();
    if (this.atKeyword('not')) {
      this.next();
      return { kind: 'not', item: this.unary(), pos: token.pos };
    }
    return this.primary();
  }

  private primary(): FilterNode {
    const token = this.peek();
    if (token.kind === '(') {
      this.next();
      const inner = this.or();
      if (this.peek().kind !== ')') {
        throw QueryError.at(this.peek().pos, `expected ")" to close the "(" at column ${token.pos + 1}`);
      }
      this.next();
      return inner;
    }
    if (token.kind === 'string') {
      this.next();
      return { kind: 'text', value: { text: token.text, quoted: true, pos: token.pos } };
    }
    if (token.kind === 'word' && !this.atKeyword('and') && !this.atKeyword('or')) {
      this.next();
      const field = { name: token.text, pos: token.pos };
      const following = this.peek();
      if (following.kind === 'operator') {
        this.next();
        return this.comparison(field, following.text);
      }
      if (following.kind === 'word' && following.text.toLowerCase() === 'exists') {
        this.next();
        return { kind: 'exists', field };
      }
      return { kind: 'text', value: { text: token.text, quoted: false, pos: token.pos } };
    }
    if (token.kind === 'operator') throw QueryError.at(token.pos, `expected a field name before "${token.text}", e.g. user.name${token.text}…`);
    throw QueryError.at(token.pos, `expected a term (field=value, a word, a "phrase" or "(") ${this.describePrevious()}`);
  }

  private comparison(field: FieldName, op: Operator): FilterNode {
    if ((op === '=' || op === '!=') && this.peek().kind === '(') {
      return { kind: 'in', field, negated: op === '!=', values: this.valueList() };
    }
    const token = this.peek();
    if (token.kind !== 'word' && token.kind !== 'string') {
      const isRegex = op === '=~' || op === '!~';
      const hint = isRegex && token.kind === '(' ? ' (quote a regular expression that has parentheses)' : '';
      throw QueryError.at(token.pos, `expected a value after "${op}", e.g. ${example(field.name, op)}${hint}`);
    }
    this.next();
    return { kind: 'compare', field, operator: op, value: valueOf(token) };
  }

  private valueList(): ValueNode[] {
    const open = this.next();
    const values: ValueNode[] = [];
    for (;;) {
      const token = this.peek();
      if (token.kind === ')') break;
      if (token.kind !== 'word' && token.kind !== 'string') {
        throw QueryError.at(token.pos, `expected a value or ")" in the list opened at column ${open.pos + 1}`);
      }
      this.next();
      values.push(valueOf(token));
      if (this.peek().kind === ',') this.next();
    }
    this.next();
    if (values.length === 0) throw QueryError.at(open.pos, 'empty list: write field=(a, b, c)');
    return values;
  }

  private stage(): StageNode {
    const token = this.peek();
    if (token.kind !== 'word') {
      throw QueryError.at(token.pos, `expected a stage name after "|": one of ${STAGE_NAMES.join(', ')}`);
    }
    this.next();
    const name = token.text.toLowerCase();
    const stage = this.stageBody(name, token);
    if (!this.atStageBoundary()) throw this.unexpected(this.peek(), ` in the ${name} stage`);
    return stage;
  }

  private stageBody(name: string, token: Token): StageNode {
    switch (name) {
      case 'stats':
        return this.stats(token.pos);
      case 'sort':
        return { kind: 'sort', keys: this.sortKeys(), pos: token.pos };
      case 'head':
        return { kind: 'head', count: this.headCount(), pos: token.pos };
      case 'fields':
        return { kind: 'fields', fields: this.fieldList('fields'), pos: token.pos };
      default:
        throw QueryError.at(token.pos, `unknown stage "${token.text}"; known stages: ${STAGE_NAMES.join(', ')}`);
    }
  }

  private stats(pos: number): StageNode {
    const aggregates: AggregateNode[] = [];
    for (;;) {
      aggregates.push(this.aggregate());
      if (this.peek().kind === ',') this.next();
      else if (this.peek().kind !== 'word' || this.atKeyword('by')) break;
    }
    let by: FieldName[] = [];
    if (this.atKeyword('by')) {
      this.next();
      by = this.fieldList('by');
    }
    return { kind: 'stats', aggregates, by, pos };
  }

  private aggregate(): AggregateNode {
    const token = this.peek();
    const known = 'count(), dc(field), min(field), max(field), avg(field), sum(field)';
    if (token.kind !== 'word' || this.atKeyword('by')) {
      throw QueryError.at(token.pos, `expected an aggregate after "stats": ${known}`);
    }
    const fn = token.text.toLowerCase();
    if (!isAggregateFunction(fn)) throw QueryError.at(token.pos, `unknown function "${token.text}" in stats; known: ${known}`);
    this.next();
    const argumentExample = fn === 'count' ? `${fn}()` : `${fn}(user.name)`;
    if (this.peek().kind !== '(') throw QueryError.at(this.peek().pos, `expected "(" after "${token.text}", e.g. ${argumentExample}`);
    this.next();
    const field = this.optionalField();
    if (field !== undefined && this.peek().kind === '(') field.name = this.columnCall(field.name);
    if (this.peek().kind !== ')') throw QueryError.at(this.peek().pos, `expected ")" to close "${token.text}(", e.g. ${argumentExample}`);
    this.next();
    if (fn !== 'count' && field === undefined) throw QueryError.at(token.pos, `${fn} needs a field, e.g. ${argumentExample}`);
    return { fn, field, label: this.alias() ?? `${fn}(${field?.name ?? ''})`, pos: token.pos };
  }

  private alias(): string | undefined {
    if (!this.atKeyword('as')) return undefined;
    const as = this.next();
    const name = this.peek();
    if (name.kind !== 'word' && name.kind !== 'string') throw QueryError.at(name.pos, `expected a column name after "${as.text}", e.g. count() as events`);
    this.next();
    return name.text;
  }

  private sortKeys(): SortKeyNode[] {
    const keys: SortKeyNode[] = [];
    while (this.peek().kind === 'word') {
      const token = this.next();
      const sign = token.text[0];
      const descending = sign === '-';
      let name = sign === '-' || sign === '+' ? token.text.slice(1) : token.text;
      if (name === '') throw QueryError.at(token.pos, `expected a field right after "${sign}", e.g. sort -count() or sort +user.name`);
      if (this.peek().kind === '(') name = this.columnCall(name);
      keys.push({ name, descending: this.direction() ?? descending, pos: token.pos });
      if (this.peek().kind === ',') this.next();
    }
    if (keys.length === 0) throw QueryError.at(this.peek().pos, 'expected a field to sort by, e.g. sort -count() or sort +user.name');
    return keys;
  }

  /** `count()` or `dc(user.name)` as a sort key or aggregate argument: the name of a stats output column. */
  private columnCall(fn: string): string {
    const open = this.next();
    const field = this.optionalField();
    if (this.peek().kind !== ')') throw QueryError.at(this.peek().pos, `expected ")" to close the "(" at column ${open.pos + 1}`);
    this.next();
    const name = isAggregateFunction(fn.toLowerCase()) ? fn.toLowerCase() : fn;
    return `${name}(${field?.name ?? ''})`;
  }

  /** An optional `asc`/`desc` after a sort key, for people used to SQL. */
  private direction(): boolean | undefined {
    const descending = this.atKeyword('desc');
    if (!descending && !this.atKeyword('asc')) return undefined;
    this.next();
    return descending;
  }

  private headCount(): number {
    const token = this.peek();
    if (token.kind !== 'word') return DEFAULT_HEAD;
    const count = /^\d+$/.test(token.text) ? Number(token.text) : NaN;
    if (!(count >= 1 && Number.isSafeInteger(count))) {
      throw QueryError.at(token.pos, `head needs a positive whole number, e.g. head 20; got "${token.text}"`);
    }
    this.next();
    return count;
  }

  private fieldList(after: string): FieldName[] {
    const fields: FieldName[] = [];
    while (this.peek().kind === 'word') {
      const token = this.next();
      fields.push({ name: token.text, pos: token.pos });
      if (this.peek().kind === ',') this.next();
    }
    if (fields.length === 0) throw QueryError.at(this.peek().pos, `expected a field name after "${after}", e.g. ${after} user.name, verb`);
    return fields;
  }

  private optionalField(): FieldName | undefined {
    const token = this.peek();
    if (token.kind !== 'word') return undefined;
    this.next();
    return { name: token.text, pos: token.pos };
  }

  /** Whether the next token is the keyword; not when it is used as a field name (`not=1` compares a field "not"). */
  private atKeyword(keyword: string): boolean {
    const token = this.peek();
    const following = this.tokens[Math.min(this.index + 1, this.tokens.length - 1)];
    return token.kind === 'word' && token.text.toLowerCase() === keyword && following.kind !== 'operator';
  }

  private atTermStart(): boolean {
    const kind = this.peek().kind;
    return kind === '(' || kind === 'string' || (kind === 'word' && !this.atKeyword('or'));
  }

  private atStageBoundary(): boolean {
    const kind = this.peek().kind;
    return kind === '|' || kind === 'end';
  }

  private unexpected(token: Token, where = ''): QueryError {
    if (token.kind === ')') return QueryError.at(token.pos, `unexpected ")"${where}: no "(" is open`);
    if (token.kind === 'operator') {
      return QueryError.at(token.pos, `unexpected "${token.text}"${where}: a value that contains "${token.text}" needs quotes, e.g. url.original="/api?watch=true"`);
    }
    const shown = token.kind === 'string' ? `"${token.text}"` : token.text;
    return QueryError.at(token.pos, `unexpected ${JSON.stringify(shown)}${where}`);
  }

  private describePrevious(): string {
    const previous = this.tokens[this.index - 1];
    return previous === undefined ? 'at the start of the query' : `after "${previous.text}"`;
  }

  private peek(): Token {
    return this.tokens[this.index];
  }

  private next(): Token {
    const token = this.tokens[this.index];
    if (token.kind !== 'end') this.index++;
    return token;
  }
}

function valueOf(token: Token): ValueNode {
  return { text: token.text, quoted: token.kind === 'string', pos: token.pos };
}

function isAggregateFunction(name: string): name is AggregateFunction {
  return (AGGREGATE_FUNCTIONS as readonly string[]).includes(name);
}

function example(field: string, op: Operator): string {
  if (op === '=~' || op === '!~') return `${field}${op}"^system:"`;
  const type = fieldByName(field)?.type;
  const value = type === 'number' ? '400' : type === 'time' ? '2026-01-02T15:04:05Z' : '"admin"';
  return `${field}${op}${value}`;
}
