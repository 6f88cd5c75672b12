import { SEVERITIES, type Severity } from '../detect/rule-schema.js';
import { type AlertLabels, LABEL_NAMES } from './labels.js';

export const MATCH_OPERATORS = ['=~', '!~', '!=', '>=', '<=', '=', '>', '<'] as const;
export type MatchOperator = (typeof MATCH_OPERATORS)[number];

/**
 * One condition on an alert's labels, written as text like Alertmanager's matchers:
 * `severity>=high`, `namespace=prod`, `rule=~"k8s-.*"`, `technique!=T1485`. Regular
 * expressions match the whole value. `>`, `>=`, `<`, `<=` compare severities only. A label
 * with several values (technique) matches `=`/`=~` when any value does and `!=`/`!~` when none does.
 */
export interface Matcher {
  readonly label: string;
  readonly operator: MatchOperator;
  readonly value: string;
  /** The matcher as written, for messages and the API. */
  readonly text: string;
  test(labels: AlertLabels): boolean;
}

export class MatcherError extends Error {}

const SHAPE = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|>=|<=|=|>|<)\s*(.*?)\s*$/;

export function parseMatcher(text: string): Matcher {
  const match = SHAPE.exec(text);
  if (!match) throw new MatcherError(`matcher "${text}" is not LABEL OP VALUE, e.g. "severity>=high" or "namespace=~prod-.*"`);
  const [, label, operator, rawValue] = match as unknown as [string, string, MatchOperator, string];
  if (!LABEL_NAMES.includes(label)) {
    throw new MatcherError(`matcher "${text}": unknown label "${label}" (labels: ${LABEL_NAMES.join(', ')})`);
  }
  const value = unquote(rawValue);
  return { label, operator, value, text: `${label}${operator}${rawValue}`, test: compileTest(label, operator, value, text) };
}

export function matchesAll(matchers: readonly Matcher[], labels: AlertLabels): boolean {
  return matchers.every((matcher) => matcher.test(labels));
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1).replaceAll('\\"', '"') : value;
}

function compileTest(label: string, operator: MatchOperator, value: string, text: string): (labels: AlertLabels) => boolean {
  const values = (labels: AlertLabels): readonly string[] => {
    const found = labels[label];
    if (found === undefined) return [''];
    if (typeof found === 'string') return [found];
    return found.length === 0 ? [''] : found;
  };
  switch (operator) {
    case '=':
      return (labels) => values(labels).includes(value);
    case '!=':
      return (labels) => !values(labels).includes(value);
    case '=~':
    case '!~': {
      const pattern = compileRegex(value, text);
      const any = (labels: AlertLabels) => values(labels).some((candidate) => pattern.test(candidate));
      return operator === '=~' ? any : (labels) => !any(labels);
    }
    default:
      return compileSeverityComparison(label, operator, value, text);
  }
}

function compileRegex(source: string, text: string): RegExp {
  try {
    return new RegExp(`^(?:${source})$`);
  } catch (error) {
    throw new MatcherError(`matcher "${text}": invalid regular expression: ${(error as Error).message}`);
  }
}

function compileSeverityComparison(label: string, operator: '>' | '>=' | '<' | '<=', value: string, text: string): (labels: AlertLabels) => boolean {
  if (label !== 'severity') throw new MatcherError(`matcher "${text}": ${operator} compares severities only; use =, !=, =~ or !~ for ${label}`);
  const bound = SEVERITIES.indexOf(value as Severity);
  if (bound < 0) throw new MatcherError(`matcher "${text}": "${value}" is not a severity (${SEVERITIES.join(', ')})`);
  const compare = { '>': (rank: number) => rank > bound, '>=': (rank: number) => rank >= bound, '<': (rank: number) => rank < bound, '<=': (rank: number) => rank <= bound }[operator];
  return (labels) => {
    const rank = SEVERITIES.indexOf(labels.severity as Severity);
    return rank >= 0 && compare(rank);
  };
}
