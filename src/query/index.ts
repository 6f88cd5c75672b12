export { compileQuery, type CompiledQuery, type QueryTarget } from './compile.js';
export type { Dialect, SqlValue } from './dialect.js';
export { parseQuery } from './parser.js';
export type { QueryAst } from './ast.js';
export { QueryError } from './query-error.js';
export { registerSqliteFunctions } from './sqlite-functions.js';
export { sqliteDialect } from './sqlite-dialect.js';
export { parseAbsoluteTime, parseTimeBound } from './time-bound.js';
export { clickhouseDialect, clickhouseLiteral } from './clickhouse-dialect.js';
