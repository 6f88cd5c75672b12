import type { Command } from 'commander';
import { queryWithArchive } from '../../archive/archive-query.js';
import { rowToDocument } from '../../model/document.js';
import { fieldByName } from '../../model/fields.js';
import { QueryError } from '../../query/index.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { QueryRows } from '../../store/store.js';
import { UsageError } from '../exit.js';
import { type OutputFormat, dataDirOption, outputOption } from '../options.js';
import { type Table, render } from '../render.js';
import { timeRangeFromFlags } from '../time-range.js';
import { storeOption } from './store-option.js';

/** Rows shown when a query does not say how many (`| head N`). */
const DEFAULT_LIMIT = 1000;

interface QueryOptions {
  output: OutputFormat;
  since?: string;
  until?: string;
  dataDir: string;
  includeArchive: boolean;
  s3Endpoint?: string;
  store?: string;
}

export function register(program: Command): void {
  program
    .command('query')
    .description('Search stored events with Vigil\'s query language')
    .argument('<query>', 'e.g. \'user.name="admin" verb=delete | stats count() by resource\'')
    .addOption(outputOption())
    .option('--since <when>', 'only events at or after: a duration back from now (15m, 1h, 7d) or RFC 3339 time')
    .option('--until <when>', 'only events before: a duration back from now or RFC 3339 time')
    .option('--include-archive', 'also search the archived segments of the time range (every archive vigil archive wrote to)', false)
    .option('--s3-endpoint <url>', 'S3-compatible endpoint for archives on S3 (default $AWS_ENDPOINT_URL)')
    .addOption(dataDirOption())
    .addOption(storeOption())
    .addHelpText(
      'after',
      `
Terms: field=value  field!=value  field=~regex  field>n  field=prefix*  "free text"
       and / or / not / ( ), terms side by side mean and; any raw path: objectRef.subresource=exec
Stages: | stats count() by field[, field]   | sort -field   | head N   | fields a, b

Examples:
  vigil query 'user.name="admin" event.action=create' -o ndjson
  vigil query 'verb=delete | stats count() by user.name | sort -count() | head 10' --since 24h
  vigil query 'outcome=failure code=403 | stats count() by user.name, source.ip' --since 1h`,
    )
    .action(async (query: string, options: QueryOptions) => {
      const range = timeRangeFromFlags(options);
      if (options.store !== undefined && options.includeArchive) throw new UsageError('--include-archive reads the archives of a data directory; it does not combine with --store');
      const store = options.store === undefined ? SqliteStore.open(options.dataDir, { mustExist: true }) : await (await import('../../store/clickhouse/clickhouse-store.js')).ClickHouseStore.open(options.store);
      try {
        const running = options.includeArchive && store instanceof SqliteStore
          ? queryWithArchive(store, query, range, { defaultLimit: DEFAULT_LIMIT, s3Endpoint: options.s3Endpoint })
          : store.query(query, range, DEFAULT_LIMIT);
        const result = await running.catch((error: unknown) => {
          throw error instanceof QueryError ? new UsageError(error.message) : error;
        });
        process.stdout.write(renderResult(result, options.output));
        if (result.rows.length === DEFAULT_LIMIT && !/\|\s*head\b/.test(query)) {
          process.stderr.write(`showing the first ${DEFAULT_LIMIT} rows; end the query with | head N to see more\n`);
        }
      } finally {
        await store.close();
      }
    });
}

const EVENT_TABLE_COLUMNS = [
  ['time', 'ts'],
  ['cluster', 'cluster'],
  ['user', 'user_name'],
  ['verb', 'action'],
  ['resource', 'resource'],
  ['namespace', 'namespace'],
  ['name', 'resource_name'],
  ['code', 'status_code'],
  ['source.ip', 'source_ip'],
  ['id', 'id'],
] as const;

function renderResult(result: QueryRows, format: OutputFormat): string {
  const isFullEvents = result.shape === 'events' && result.rows.length > 0 && 'record' in result.rows[0];
  if (isFullEvents) {
    return render(format, result.rows.map(rowToDocument), () => eventTable(result));
  }
  const cell = (row: Record<string, unknown>, column: string) => {
    const value = row[column];
    return fieldByName(column)?.type === 'time' && typeof value === 'number' ? new Date(value).toISOString() : value;
  };
  const documents = result.rows.map((row) => Object.fromEntries(result.columns.map((column) => [column, cell(row, column)])));
  return render(format, documents, () => ({ columns: result.columns, rows: result.rows.map((row) => result.columns.map((column) => cell(row, column))) }));
}

function eventTable(result: QueryRows): Table {
  return {
    columns: EVENT_TABLE_COLUMNS.map(([title]) => title),
    rows: result.rows.map((row) =>
      EVENT_TABLE_COLUMNS.map(([, column]) => (column === 'ts' ? new Date(row.ts as number).toISOString() : row[column])),
    ),
  };
}
