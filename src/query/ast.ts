import type { Operator } from './lexer.js';

/** Syntax tree of a query as written; names are not resolved yet. Offsets are 0-based. */
export interface QueryAst {
  filter?: FilterNode;
  stages: StageNode[];
}

export interface FieldName {
  /** As typed: an ECS name, an alias or a raw path of the original record. */
  name: string;
  pos: number;
}

export interface ValueNode {
  text: string;
  /** Quoted values are literal: `*` in them is a star, not a wildcard. */
  quoted: boolean;
  pos: number;
}

export type FilterNode =
  | { kind: 'and' | 'or'; items: FilterNode[] }
  | { kind: 'not'; item: FilterNode; pos: number }
  | { kind: 'compare'; field: FieldName; operator: Operator; value: ValueNode }
  /** `field=(a, b, c)` / `field!=(a, b, c)`. */
  | { kind: 'in'; field: FieldName; negated: boolean; values: ValueNode[] }
  | { kind: 'exists'; field: FieldName }
  /** A free-text word (unquoted) or phrase (quoted), searched in the message. */
  | { kind: 'text'; value: ValueNode };

export const AGGREGATE_FUNCTIONS = ['count', 'dc', 'min', 'max', 'avg', 'sum'] as const;
export type AggregateFunction = (typeof AGGREGATE_FUNCTIONS)[number];

export interface AggregateNode {
  fn: AggregateFunction;
  field?: FieldName;
  /** Output column name: the `as` name, else `fn(field)` as typed, e.g. `count()`, `dc(user.name)`. */
  label: string;
  pos: number;
}

export interface SortKeyNode {
  /** A field or an output column such as `count()`. */
  name: string;
  descending: boolean;
  pos: number;
}

export type StageNode =
  | { kind: 'stats'; aggregates: AggregateNode[]; by: FieldName[]; pos: number }
  | { kind: 'sort'; keys: SortKeyNode[]; pos: number }
  | { kind: 'head'; count: number; pos: number }
  | { kind: 'fields'; fields: FieldName[]; pos: number };

export const STAGE_NAMES = ['stats', 'sort', 'head', 'fields'] as const;
