import { Option } from 'commander';
import { parseClickHouseUrl, redact } from '../../store/clickhouse/url.js';
import { UsageError } from '../exit.js';

/** `--store clickhouse://…` / VIGIL_STORE: read the scale-out store instead of the data directory. */
export function storeOption(): Option {
  return new Option('--store <url>', 'read the scale-out store clickhouse://[user[:password]@]host:8123/database instead of --data-dir')
    .env('VIGIL_STORE')
    .argParser(clickHouseStoreUrl);
}

/** The URL as given, once it reads as a ClickHouse store URL; a data directory belongs to --data-dir. */
function clickHouseStoreUrl(text: string): string {
  if (!/^clickhouse:\/\//i.test(text)) throw new UsageError(`--store takes a clickhouse://host:8123/database URL, got "${redact(text)}"; for a SQLite data directory use --data-dir`);
  try {
    parseClickHouseUrl(text);
  } catch (error) {
    throw new UsageError(`--store: ${(error as Error).message}`);
  }
  return text;
}
