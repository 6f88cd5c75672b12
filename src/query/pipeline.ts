import type { AggregateNode, FieldName, StageNode } from './ast.js';
import type { Dialect } from './dialect.js';
import { type FieldRef, isMultiValued, resolveField } from './field-ref.js';
import { fieldByName } from '../model/fields.js';
import { QueryError } from './query-error.js';
import { type Sql, joinSql, rawSql, sameSql, sql } from './sql.js';

/** Alias of the event row in every generated SELECT. */
export const ROW = 'e';

interface Column {
  /** As the user typed it: the output column's name. */
  name: string;
  /** Valid in the SELECT list and ORDER BY of the layer that has this column. */
  expression: Sql;
  field?: FieldRef;
  multiValued: boolean;
}

interface OrderKey {
  expression: Sql;
  descending: boolean;
}

/**
 * One SELECT. Stages fold into the current layer while SQL can express the combination in one
 * statement; a stage that must see the result of an earlier `head` or `stats` (e.g.
 * `head 100 | stats …`) starts a new layer over the previous one as a subquery.
 */
export interface Layer {
  source: Sql;
  joins: Sql[];
  where: Sql[];
  /** The output columns, which are then the only names later stages can use; undefined: every column of the event row. */
  select?: Column[];
  /** Set once a stats stage aggregated this layer (empty for stats without `by`). */
  groupBy?: Sql[];
  order: OrderKey[];
  limit?: number;
  shape: 'events' | 'table';
}

/** Events newest first; `seq` breaks ties between events of the same millisecond. */
export function eventsLayer(from: string, where: Sql[]): Layer {
  const order = ['ts', 'seq'].map((column) => ({ expression: rawSql(`${ROW}.${column}`), descending: true }));
  return { source: rawSql(`${from} AS ${ROW}`), joins: [], where, order, shape: 'events' };
}

export function applyStage(layer: Layer, stage: StageNode, dialect: Dialect): Layer {
  switch (stage.kind) {
    case 'stats':
      return stats(layer.limit !== undefined || layer.groupBy ? wrap(layer, dialect) : layer, stage.by, stage.aggregates, dialect);
    case 'sort':
      return sort(layer.limit !== undefined ? wrap(layer, dialect) : layer, stage.keys, dialect);
    case 'head':
      return { ...layer, limit: Math.min(layer.limit ?? Infinity, stage.count) };
    case 'fields':
      return { ...layer, select: uniqueColumns(stage.fields.map((name) => ({ ...lookup(layer, name, dialect), name: name.name })), stage.fields) };
  }
}

export function renderLayer(layer: Layer, dialect: Dialect): Sql {
  const columns = layer.select
    ? joinSql(layer.select.map((column) => sql`${column.expression} AS ${rawSql(dialect.identifier(column.name))}`), ', ')
    : rawSql('*');
  const parts = [sql`SELECT ${columns} FROM ${layer.source}`, ...layer.joins];
  if (layer.where.length > 0) parts.push(sql`WHERE ${joinSql(layer.where, ' AND ')}`);
  if (layer.groupBy && layer.groupBy.length > 0) parts.push(sql`GROUP BY ${joinSql(layer.groupBy, ', ')}`);
  if (layer.order.length > 0) {
    parts.push(sql`ORDER BY ${joinSql(layer.order.map((key) => dialect.orderKey(key.expression, key.descending)), ', ')}`);
  }
  if (layer.limit !== undefined) parts.push(dialect.limit(layer.limit));
  return joinSql(parts, ' ');
}

/**
 * Output: the `by` columns, then the aggregates. Default order: by the `by` columns ascending.
 * Grouping by a multi-valued field counts each event once under each of its values.
 */
function stats(layer: Layer, by: readonly FieldName[], aggregates: readonly AggregateNode[], dialect: Dialect): Layer {
  const joins = [...layer.joins];
  const groups = by.map((name, i): Column => {
    if (layer.select) return { ...lookup(layer, name, dialect), name: name.name, multiValued: false };
    const field = resolveField(name);
    const group = dialect.groupValue(field, ROW, `g${i + 1}`);
    if (group.joins.text !== '') joins.push(group.joins);
    return { name: name.name, expression: group.value, field, multiValued: false };
  });
  const values = aggregates.map((node) => aggregateColumn(layer, node, dialect));
  const select = uniqueColumns([...groups, ...values], [...by, ...aggregates]);
  const order = groups.map((column) => ({ expression: column.expression, descending: false }));
  return { ...layer, joins, select, groupBy: groups.map((column) => column.expression), order, limit: undefined, shape: 'table' };
}

function aggregateColumn(layer: Layer, node: AggregateNode, dialect: Dialect): Column {
  if (node.field === undefined) return { name: node.label, expression: dialect.aggregate(node.fn, undefined), multiValued: false };
  const column = lookup(layer, node.field, dialect);
  const where = node.field.pos;
  if (column.multiValued) {
    throw QueryError.at(where, `${node.fn}(${node.field.name}): the field holds several values per event; group by it instead, e.g. stats count() by ${node.field.name}`);
  }
  const type = column.field?.kind === 'column' ? column.field.def.type : undefined;
  if ((node.fn === 'sum' || node.fn === 'avg') && (type === 'string' || type === 'string[]')) {
    throw QueryError.at(where, `${node.fn} needs numbers, but ${node.field.name} is text; try dc(${node.field.name}) or stats count() by ${node.field.name}`);
  }
  return { name: node.label, expression: dialect.aggregate(node.fn, column.expression), field: column.field, multiValued: false };
}

/** A stable sort over what came before: earlier order keys break ties. */
function sort(layer: Layer, keys: readonly { name: string; descending: boolean; pos: number }[], dialect: Dialect): Layer {
  const order = keys.map((key) => {
    const column = lookup(layer, { name: key.name, pos: key.pos }, dialect);
    if (column.multiValued) throw QueryError.at(key.pos, `cannot sort by ${key.name}: it holds several values per event`);
    return { expression: column.expression, descending: key.descending };
  });
  const rest = layer.order.filter((old) => !order.some((key) => sameSql(key.expression, old.expression)));
  return { ...layer, order: [...order, ...rest] };
}

/** A name in the current layer: any field while rows are events, otherwise one of the output columns. */
function lookup(layer: Layer, name: FieldName, dialect: Dialect): Column {
  if (!layer.select) {
    if (/\(.*\)$/.test(name.name)) {
      throw QueryError.at(name.pos, `"${name.name}" is not a field; columns like count() exist only after a stats stage`);
    }
    const field = resolveField(name);
    return { name: name.name, expression: dialect.fieldValue(field, ROW), field, multiValued: isMultiValued(field) };
  }
  const exact = layer.select.find((column) => column.name === name.name);
  if (exact) return exact;
  const def = fieldByName(name.name);
  const sameField = def && layer.select.find((column) => column.field?.kind === 'column' && column.field.def === def);
  if (sameField) return sameField;
  const available = layer.select.map((column) => column.name).join(', ');
  throw QueryError.at(name.pos, `"${name.name}" is not a column at this point of the pipeline; columns: ${available}`);
}

/** Starts a new layer over the result of this one; its order is kept where the output still has the keys. */
function wrap(layer: Layer, dialect: Dialect): Layer {
  const inner = renderLayer(layer, dialect);
  const outer = (column: Column): Sql => rawSql(`${ROW}.${dialect.identifier(column.name)}`);
  const select = layer.select?.map((column) => ({ ...column, expression: outer(column) }));
  const order = layer.order.flatMap((key) => {
    if (!layer.select) return [key];
    const column = layer.select.find((candidate) => sameSql(candidate.expression, key.expression));
    return column ? [{ expression: outer(column), descending: key.descending }] : [];
  });
  return { source: sql`(${inner}) AS ${rawSql(ROW)}`, joins: [], where: [], select, order, shape: layer.shape };
}

function uniqueColumns(columns: Column[], nodes: readonly { pos: number }[]): Column[] {
  const seen = new Set<string>();
  columns.forEach((column, i) => {
    if (seen.has(column.name)) throw QueryError.at(nodes[i].pos, `duplicate column "${column.name}"; rename one with "as", e.g. count() as events`);
    seen.add(column.name);
  });
  return columns;
}
