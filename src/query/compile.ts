import type { Dialect } from './dialect.js';
import { fieldByName } from '../model/fields.js';
import { parseQuery } from './parser.js';
import { ROW, applyStage, eventsLayer, renderLayer } from './pipeline.js';
import type { Predicate } from './predicate.js';
import { QueryError } from './query-error.js';
import { resolveFilter } from './resolve-filter.js';
import { type Sql, joinSql, parenthesize, rawSql } from './sql.js';

export interface QueryTarget {
  dialect: Dialect;
  /**
   * SQL table expression of event rows (`events`, or a parenthesized UNION ALL of partitions):
   * `seq`, `ts` (epoch ms), every FieldDef column and `record` (the original JSON).
   */
  from: string;
  /** FTS5 table whose rowid is `seq` and whose column is `message`; without it free text uses LIKE. */
  fts?: string;
  /** `since` inclusive, `until` exclusive, epoch ms. */
  range: { since?: number; until?: number };
  /** Row cap for a query whose last `head` does not set one (omitted: no cap). */
  defaultLimit?: number;
}

export interface CompiledQuery {
  sql: string;
  params: unknown[];
  /** 'events': rows are events (or `fields` of them); 'table': rows are stats results. */
  shape: 'events' | 'table';
  /**
   * Output column names as the user typed them (`user.name`, `count()`), in order. Empty for
   * full event rows (no `fields` stage): those are `SELECT *` rows keyed by store column.
   */
  columns: string[];
}

/**
 * Compiles a query of Vigil's language into one SQL statement for the target store.
 * Throws QueryError for anything wrong with the query, with the column where it is.
 */
export function compileQuery(text: string, target: QueryTarget): CompiledQuery {
  const ast = parseQuery(text);
  const predicates = [...timeRange(target.range), ...(ast.filter ? [resolveFilter(ast.filter)] : [])];
  const where = predicates.map((predicate) => parenthesize(renderPredicate(predicate, target)));
  let layer = eventsLayer(target.from, where);
  for (const stage of ast.stages) layer = applyStage(layer, stage, target.dialect);
  if (layer.limit === undefined && target.defaultLimit !== undefined) {
    if (!(Number.isSafeInteger(target.defaultLimit) && target.defaultLimit > 0)) {
      throw new QueryError(`defaultLimit must be a positive whole number, got ${target.defaultLimit}`);
    }
    layer = { ...layer, limit: target.defaultLimit };
  }
  const statement = renderLayer(layer, target.dialect);
  return { sql: statement.text, params: [...statement.params], shape: layer.shape, columns: layer.select?.map((column) => column.name) ?? [] };
}

function timeRange(range: QueryTarget['range']): Predicate[] {
  const timestamp = fieldByName('@timestamp');
  if (timestamp === undefined) throw new Error('the field list has no @timestamp');
  const field = { kind: 'column' as const, name: '@timestamp', def: timestamp };
  const bounds: Predicate[] = [];
  const bound = (operator: '>=' | '<', ms: number): Predicate => ({
    kind: 'field',
    field,
    matcher: { kind: 'compare', operator, value: { text: String(ms), number: ms } },
    negated: false,
  });
  if (range.since !== undefined) bounds.push(bound('>=', range.since));
  if (range.until !== undefined) bounds.push(bound('<', range.until));
  return bounds;
}

function renderPredicate(predicate: Predicate, target: QueryTarget): Sql {
  const { dialect } = target;
  switch (predicate.kind) {
    case 'and':
    case 'or':
      if (predicate.items.length === 0) return rawSql(predicate.kind === 'and' ? '1 = 1' : '1 = 0');
      return joinSql(
        predicate.items.map((item) => parenthesize(renderPredicate(item, target))),
        predicate.kind === 'and' ? ' AND ' : ' OR ',
      );
    case 'not':
      return dialect.not(renderPredicate(predicate.item, target));
    case 'field':
      return dialect.fieldFilter(predicate, ROW);
    case 'text':
      return dialect.textSearch(predicate, ROW, target.fts);
  }
}
