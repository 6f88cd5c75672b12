import type { PathStep } from './field-ref.js';
import { type Sql, joinSql, rawSql, sql } from './sql.js';

/**
 * Raw-path access for SQLite's JSON functions, with `readPath`'s syntax: `a.b[0].c` is a plain
 * JSON path and `[*]` fans out over an array. A chain of `json_each` calls, each starting from
 * the previous element's `fullkey`, walks every fan-out in C; SQLite caches the parsed record
 * across the calls of one statement. Keys are always quoted (`$."objectRef"."subresource"`), so
 * `-`, `/` or `:` in keys are safe; the lexer never lets a `"` into a field name.
 */

type Bind = (value: string) => Sql;

export interface ValueRows {
  /** Comma-separated `json_each(...)` sources; each value is a row of alias `v`. */
  from: Sql;
  where: Sql[];
}

/**
 * Rows holding every value at the path, one per row in alias `v`. A value that is an array
 * fans out into its elements (so `user.groups=system:masters` means "contains"); the members
 * of an object at the end of the path are not values.
 */
export function pathValueRows(steps: readonly PathStep[], row: string, bind: Bind): ValueRows {
  const { arrays, rest } = splitAtFanOuts(steps);
  const chain = fanOutChain(arrays, row, bind);
  const values = sql`json_each(${rawSql(`${row}.record`)}, ${pathArgument(chain.parent, rest, bind)}) AS v`;
  return { from: joinSql([...chain.from, values], ', '), where: [...chain.where, rawSql(`typeof(v.key) <> 'text'`)] };
}

/** True when the path leads to any value at all, JSON null and empty arrays included (readPath finds them too). */
export function pathExists(steps: readonly PathStep[], row: string, bind: Bind): Sql {
  const { arrays, rest } = splitAtFanOuts(steps);
  const chain = fanOutChain(arrays, row, bind);
  const present = sql`json_type(${rawSql(`${row}.record`)}, ${pathArgument(chain.parent, rest, bind)}) IS NOT NULL`;
  if (arrays.length === 0) return present;
  return sql`EXISTS (SELECT 1 FROM ${joinSql(chain.from, ', ')} WHERE ${joinSql([...chain.where, present], ' AND ')})`;
}

/** A plain path (no `[*]`) as one scalar: the value, JSON text for objects and arrays, 'true'/'false' for booleans. */
export function pathScalar(steps: readonly PathStep[], row: string, bind: Bind): Sql {
  const path = pathArgument(undefined, steps, bind);
  const record = rawSql(`${row}.record`);
  return sql`CASE json_type(${record}, ${path}) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE json_extract(${record}, ${path}) END`;
}

/** The text a JSON value matches against: strings as they are, numbers and booleans as written, nothing for null and containers. */
export function jsonValueText(alias: string): Sql {
  return rawSql(
    `CASE WHEN ${alias}.type IN ('true', 'false') THEN ${alias}.type WHEN ${alias}.type IN ('text', 'integer', 'real') THEN CAST(${alias}.value AS TEXT) END`,
  );
}

/** A JSON value as SQL for grouping and display: booleans as 'true'/'false' rather than 1/0. */
export function jsonValueForDisplay(alias: string): Sql {
  return rawSql(`CASE WHEN ${alias}.type IN ('true', 'false') THEN ${alias}.type ELSE ${alias}.value END`);
}

/** A JSON value as an element of json_group_array, keeping booleans, objects and arrays as JSON. */
export function jsonArrayElement(alias: string): Sql {
  return rawSql(`CASE ${alias}.type WHEN 'true' THEN json('true') WHEN 'false' THEN json('false') ELSE ${alias}.value END`);
}

interface Chain {
  from: Sql[];
  where: Sql[];
  /** SQL for the JSON path of the current element (`pN.fullkey`), undefined at the record's root. */
  parent: string | undefined;
}

/** json_each over each array before a `[*]`, nested: the elements of the last one are where the rest of the path starts. */
function fanOutChain(arrays: readonly PathStep[][], row: string, bind: Bind): Chain {
  const chain: Chain = { from: [], where: [], parent: undefined };
  arrays.forEach((segment, i) => {
    const alias = `p${i + 1}`;
    chain.from.push(sql`json_each(${rawSql(`${row}.record`)}, ${pathArgument(chain.parent, segment, bind)}) AS ${rawSql(alias)}`);
    // Integer keys are array elements: `[*]` over an object or a scalar yields nothing, as in readPath.
    chain.where.push(rawSql(`typeof(${alias}.key) = 'integer'`));
    chain.parent = `${alias}.fullkey`;
  });
  return chain;
}

function pathArgument(parent: string | undefined, steps: readonly PathStep[], bind: Bind): Sql {
  if (parent === undefined) return bind(`$${pathText(steps)}`);
  if (steps.length === 0) return rawSql(parent);
  return sql`${rawSql(parent)} || ${bind(pathText(steps))}`;
}

/** SQLite JSON path text for steps without fan-outs, e.g. `."spec"."containers"[0]`. */
function pathText(steps: readonly PathStep[]): string {
  return steps.map((step) => ('key' in step ? `."${step.key}"` : 'index' in step ? `[${step.index}]` : '')).join('');
}

/** The plain paths before each `[*]` (each leads to an array) and the plain rest after the last one. */
function splitAtFanOuts(steps: readonly PathStep[]): { arrays: PathStep[][]; rest: PathStep[] } {
  const arrays: PathStep[][] = [];
  let current: PathStep[] = [];
  for (const step of steps) {
    if ('all' in step) {
      arrays.push(current);
      current = [];
    } else current.push(step);
  }
  return { arrays, rest: current };
}
