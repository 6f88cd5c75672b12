import { Readable } from 'node:stream';
import { type ClickHouseClient, ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { classifyError } from './errors.js';
import type { ClickHouseLocation } from './url.js';

/**
 * Settings every request carries; all exist on 18.16 and on current servers. RFC 3339 times
 * parse (`best_effort`), unknown JSON keys in inserted rows are skipped, and 64-bit integers come
 * back as JSON numbers (seq, ts, counts), which is exact below 2^53.
 */
const SETTINGS = {
  date_time_input_format: 'best_effort',
  input_format_skip_unknown_fields: 1,
  output_format_json_quote_64bit_integers: 0,
} as const;

/** Room for the id lists of a dedup lookup (the default max_query_size is 256 KiB). */
const LOOKUP_QUERY_SIZE = 16 * 1024 * 1024;

/** One database on one server, with every failure turned into a ClickHouseStoreError that says what was being done. */
export class ClickHouseConnection {
  private constructor(
    private readonly client: ClickHouseClient,
    readonly location: ClickHouseLocation,
  ) {}

  /** Connects and creates the database when it is missing. */
  static async open(location: ClickHouseLocation): Promise<ClickHouseConnection> {
    // The HTTP interface selects the database before it runs a statement, so the database must exist first.
    const bootstrap = makeClient(location, 'default');
    try {
      await bootstrap.command({ query: `CREATE DATABASE IF NOT EXISTS ${location.database}` });
    } catch (error) {
      throw classifyError(error, `creating database ${location.database} at ${location.httpUrl} as ${location.username}`);
    } finally {
      await bootstrap.close();
    }
    return new ClickHouseConnection(makeClient(location, location.database), location);
  }

  async command(query: string, context: string): Promise<void> {
    try {
      await this.client.command({ query });
    } catch (error) {
      throw classifyError(error, `${context} in ${this.where()}`);
    }
  }

  async rows<T>(query: string, context: string, options: { largeQuery?: boolean } = {}): Promise<T[]> {
    try {
      const result = await this.client.query({
        query,
        format: 'JSONEachRow',
        ...(options.largeQuery ? { clickhouse_settings: { max_query_size: String(LOOKUP_QUERY_SIZE) } } : {}),
      });
      return await result.json<T>();
    } catch (error) {
      throw classifyError(error, `${context} in ${this.where()}`);
    }
  }

  /** One INSERT of all the rows, streamed so a 100k-row batch is never one string in memory. */
  async insert(table: string, rows: Iterable<Record<string, unknown>>, context: string): Promise<void> {
    try {
      await this.client.insert({ table, values: Readable.from(rows, { objectMode: true }), format: 'JSONEachRow' });
    } catch (error) {
      throw classifyError(error, `${context} into ${this.where(table)}`);
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private where(table?: string): string {
    return `${this.location.database}${table ? `.${table}` : ''} at ${this.location.httpUrl}`;
  }
}

function makeClient(location: ClickHouseLocation, database: string): ClickHouseClient {
  return createClient({
    url: location.httpUrl,
    username: location.username,
    password: location.password,
    database,
    clickhouse_settings: SETTINGS,
    // Errors reach the caller classified; the client's own logging would print each one twice.
    log: { level: ClickHouseLogLevel.OFF },
    request_timeout: 300_000,
  });
}
