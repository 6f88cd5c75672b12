/** Where a ClickHouse store lives: its HTTP interface and database. */
export interface ClickHouseLocation {
  /** `http://host:port`, without credentials. */
  httpUrl: string;
  username: string;
  password: string;
  database: string;
}

export type StoreLocation = { kind: 'clickhouse'; clickhouse: ClickHouseLocation } | { kind: 'sqlite'; dataDir: string };

const FORM = 'clickhouse://[user[:password]@]host:port/database';
const DATABASE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DEFAULT_HTTP_PORT = 8123;

/**
 * Reads a `--store` value: `clickhouse://…` is the scale-out store, anything without a URL
 * scheme (or `file:`) a SQLite data directory.
 */
export function parseStoreUrl(text: string): StoreLocation {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(text)?.[1]?.toLowerCase();
  if (scheme === 'clickhouse') return { kind: 'clickhouse', clickhouse: parseClickHouseUrl(text) };
  if (scheme === 'file') return { kind: 'sqlite', dataDir: decodeURIComponent(new URL(text).pathname) };
  // One letter before ':' is a Windows drive, not a scheme.
  if (scheme === undefined || scheme.length === 1) return { kind: 'sqlite', dataDir: text };
  throw new Error(`unsupported store URL scheme "${scheme}:" in "${redact(text)}"; use ${FORM} or a SQLite data directory`);
}

/** Reads `clickhouse://[user[:password]@]host:port/database`; the HTTP port defaults to 8123, the user to `default`. */
export function parseClickHouseUrl(text: string): ClickHouseLocation {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`invalid ClickHouse store URL "${redact(text)}": expected ${FORM}`);
  }
  const problem = (what: string): Error => new Error(`invalid ClickHouse store URL "${redact(text)}": ${what}; expected ${FORM}`);
  if (url.protocol !== 'clickhouse:') throw problem(`the scheme must be clickhouse:, not ${url.protocol}`);
  if (url.hostname === '') throw problem('no host');
  if (url.search !== '' || url.hash !== '') throw problem('no ?query or #fragment is read');
  const database = decodeURIComponent(url.pathname.replace(/^\/+/, ''));
  if (database === '') throw problem('no database');
  if (!DATABASE_NAME.test(database)) throw problem(`database "${database}" must be letters, digits and _ (not starting with a digit)`);
  const port = url.port === '' ? DEFAULT_HTTP_PORT : Number(url.port);
  return {
    httpUrl: `http://${url.hostname}:${port}`,
    username: url.username === '' ? 'default' : decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database,
  };
}

/** The URL with its password replaced, for error messages and logs. */
export function redact(text: string): string {
  return text.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^/@:]*):[^/@]*@/, '$1:***@');
}
