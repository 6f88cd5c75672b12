import type { Scalar } from '../detect/value-tests.js';
import { canonicalAuditPath, readFalcoAtom, readSigmaAtom, type ForeignAtom } from './foreign-atoms.js';

/**
 * Reads a compiled rule condition back into a tree. The detection engine keeps rules only as
 * closures plus a canonical `signature` text (src/detect/condition.ts): `all(…)`, `any(…)`,
 * `not(…)`, `field|exists=true` and `field|operator|flags=[json constants]`, with named lists
 * already expanded. Every rule format (Vigil YAML, Sigma, Falco) compiles to that, so reading
 * the signature treats imported rules exactly like built-in ones.
 */

export type ConditionNode =
  | { kind: 'true' }
  | { kind: 'false' }
  | { kind: 'all'; parts: ConditionNode[] }
  | { kind: 'any'; parts: ConditionNode[] }
  | { kind: 'not'; part: ConditionNode }
  | FieldTest;

export interface FieldTest {
  kind: 'field';
  /** Canonical field name (ECS name, derived `vigil.k8s.*` name or raw record path). */
  field: string;
  /** `exists`, a value operator (`eq`, `contains`, `wildcard`, …) or `unknown` (an imported test not translated). */
  operator: string;
  flags: string[];
  /** The constants; for `exists` one boolean. */
  values: Scalar[];
}

export class SignatureError extends Error {}

export function parseConditionSignature(signature: string): ConditionNode {
  const reader = new Reader(signature);
  const node = reader.node();
  if (!reader.atEnd()) throw reader.error('unexpected text after the condition');
  return node;
}

class Reader {
  private position = 0;

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.position >= this.text.length;
  }

  error(message: string): SignatureError {
    return new SignatureError(`cannot read rule condition signature at ${this.position}: ${message} in ${JSON.stringify(this.text.slice(0, 200))}`);
  }

  node(): ConditionNode {
    if (this.take('true')) return { kind: 'true' };
    if (this.take('false')) return { kind: 'false' };
    if (this.text.startsWith('sigma:', this.position)) return this.foreign(readSigmaAtom);
    if (this.text.startsWith('falco:', this.position)) return this.foreign(readFalcoAtom);
    for (const kind of ['all', 'any', 'not'] as const) {
      if (!this.take(`${kind}(`)) continue;
      const parts = [this.node()];
      while (this.take(',')) parts.push(this.node());
      if (!this.take(')')) throw this.error(`expected ")" closing ${kind}(`);
      if (kind === 'not') {
        if (parts.length !== 1) throw this.error('not() takes one condition');
        return { kind, part: parts[0] };
      }
      return { kind, parts };
    }
    return this.fieldTest();
  }

  private foreign(read: (text: string, start: number) => ForeignAtom): ConditionNode {
    try {
      const { node, end } = read(this.text, this.position);
      this.position = end;
      return node;
    } catch (error) {
      throw this.error((error as Error).message);
    }
  }

  private fieldTest(): FieldTest {
    const equals = this.text.indexOf('=', this.position);
    if (equals < 0) throw this.error('expected "field|operator=values"');
    const [written, operator, ...flags] = this.text.slice(this.position, equals).split('|');
    if (written === '' || operator === undefined) throw this.error('expected "field|operator=values"');
    const field = canonicalAuditPath(written);
    this.position = equals + 1;
    if (operator === 'exists') {
      if (this.take('true')) return { kind: 'field', field, operator, flags: [], values: [true] };
      if (this.take('false')) return { kind: 'field', field, operator, flags: [], values: [false] };
      throw this.error('expected true or false after |exists=');
    }
    return { kind: 'field', field, operator, flags: flags.filter((flag) => flag !== ''), values: this.jsonArray() };
  }

  private jsonArray(): Scalar[] {
    const start = this.position;
    if (this.text[start] !== '[') throw this.error('expected a JSON list of constants');
    let depth = 0;
    let inString = false;
    for (let i = start; i < this.text.length; i++) {
      const char = this.text[i];
      if (inString) {
        if (char === '\\') i++;
        else if (char === '"') inString = false;
      } else if (char === '"') inString = true;
      else if (char === '[') depth++;
      else if (char === ']' && --depth === 0) {
        this.position = i + 1;
        return JSON.parse(this.text.slice(start, i + 1)) as Scalar[];
      }
    }
    throw this.error('unterminated JSON list');
  }

  private take(token: string): boolean {
    if (!this.text.startsWith(token, this.position)) return false;
    this.position += token.length;
    return true;
  }
}

/** A field test that must hold (`negated: false`) or must not hold (`negated: true`). */
export interface Literal {
  test: FieldTest;
  negated: boolean;
}

/** A conjunction of literals; a condition is the disjunction of its terms. */
export type Term = Literal[];

export class ConditionTooComplex extends Error {}

const MAX_TERMS = 256;

/**
 * Disjunctive normal form: every way the condition can be satisfied, as a list of terms.
 * Negations are pushed down to the field tests. An empty list means the condition never holds.
 */
export function toTerms(node: ConditionNode, negated = false): Term[] {
  switch (node.kind) {
    case 'true':
      return negated ? [] : [[]];
    case 'false':
      return negated ? [[]] : [];
    case 'field':
      return [[{ test: node, negated }]];
    case 'not':
      return toTerms(node.part, !negated);
    case 'all':
    case 'any': {
      const conjunction = (node.kind === 'all') !== negated;
      const children = node.parts.map((part) => toTerms(part, negated));
      return conjunction ? product(children) : children.flat();
    }
  }
}

function product(children: Term[][]): Term[] {
  let terms: Term[] = [[]];
  for (const child of children) {
    const next: Term[] = [];
    for (const left of terms) for (const right of child) next.push([...left, ...right]);
    if (next.length > MAX_TERMS) throw new ConditionTooComplex(`more than ${MAX_TERMS} alternative ways to match`);
    terms = next;
  }
  return terms;
}
