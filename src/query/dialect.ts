import type { AggregateFunction } from './ast.js';
import type { FieldRef } from './field-ref.js';
import type { FieldPredicate, TextPredicate } from './predicate.js';
import type { Sql } from './sql.js';

export type SqlValue = string | number | boolean | null;

/**
 * Everything that differs between SQL engines. The compiler builds the query's structure
 * (SELECT … FROM … WHERE … GROUP BY … ORDER BY … LIMIT) and asks the dialect for every
 * expression, so a new store needs one implementation of this interface and nothing else.
 * `row` is the alias of the event row (its columns are the store columns of FieldDef plus
 * `seq`, `ts` and `record`).
 */
export interface Dialect {
  readonly name: string;
  /** A user value in SQL: a bound placeholder, or an escaped literal for engines without parameters. */
  value(value: SqlValue): Sql;
  /** The value as a safe SQL literal. */
  literal(value: SqlValue): string;
  /** A quoted identifier, for output columns named as the user typed them (`count()`, `user.name`). */
  identifier(name: string): string;
  /** A filter on one field with the semantics documented on `Predicate`. */
  fieldFilter(predicate: FieldPredicate, row: string): Sql;
  /** Full-text search in the message; `fts` names the store's full-text table when it has one. */
  textSearch(predicate: TextPredicate, row: string, fts: string | undefined): Sql;
  /** Logical complement in which an unknown (NULL) operand counts as false. */
  not(operand: Sql): Sql;
  /** One value per row for `fields`, `sort` and aggregates; a multi-valued field gives its values as a JSON array. */
  fieldValue(field: FieldRef, row: string): Sql;
  /**
   * The value to group by. A multi-valued field yields one row per distinct value through
   * `joins` (placed after the FROM source, aliases prefixed with `alias`); an event without a
   * value still yields one row, grouped under NULL.
   */
  groupValue(field: FieldRef, row: string, alias: string): { joins: Sql; value: Sql };
  aggregate(fn: AggregateFunction, argument: Sql | undefined): Sql;
  /** A sort key; absent values sort last in both directions. */
  orderKey(expression: Sql, descending: boolean): Sql;
  limit(count: number): Sql;
}
