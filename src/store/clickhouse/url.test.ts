import { describe, expect, it } from 'vitest';
import { parseClickHouseUrl, parseStoreUrl, redact } from './url.js';

describe('parseClickHouseUrl', () => {
  it('reads host, port, database and credentials', () => {
    expect(parseClickHouseUrl('clickhouse://vigil:s%40cret@ch.local:8124/audit')).toEqual({
      httpUrl: 'http://ch.local:8124',
      username: 'vigil',
      password: 's@cret',
      database: 'audit',
    });
  });

  it('defaults to port 8123 and user default', () => {
    expect(parseClickHouseUrl('clickhouse://127.0.0.1/vigil')).toEqual({ httpUrl: 'http://127.0.0.1:8123', username: 'default', password: '', database: 'vigil' });
  });

  it.each([
    ['clickhouse://127.0.0.1:8123', 'no database'],
    ['clickhouse://127.0.0.1:8123/my-db', 'database "my-db" must be letters, digits and _'],
    ['clickhouse://127.0.0.1:8123/db?secure=1', 'no ?query or #fragment is read'],
    ['http://127.0.0.1:8123/db', 'the scheme must be clickhouse:, not http:'],
    ['clickhouse:db', 'no host'],
  ])('rejects %s: %s', (url, problem) => {
    expect(() => parseClickHouseUrl(url)).toThrow(problem);
    expect(() => parseClickHouseUrl(url)).toThrow('expected clickhouse://[user[:password]@]host:port/database');
  });

  it('never repeats the password in an error', () => {
    expect(() => parseClickHouseUrl('clickhouse://u:topsecret@h:1/bad-name')).toThrow('"clickhouse://u:***@h:1/bad-name"');
    expect(redact('clickhouse://u:p@h/db')).toBe('clickhouse://u:***@h/db');
  });
});

describe('parseStoreUrl', () => {
  it('tells ClickHouse URLs from SQLite data directories', () => {
    expect(parseStoreUrl('clickhouse://h:9/db')).toMatchObject({ kind: 'clickhouse', clickhouse: { database: 'db' } });
    expect(parseStoreUrl('./vigil-data')).toEqual({ kind: 'sqlite', dataDir: './vigil-data' });
    expect(parseStoreUrl('file:///var/lib/vigil')).toEqual({ kind: 'sqlite', dataDir: '/var/lib/vigil' });
    expect(() => parseStoreUrl('postgres://u:pw@h/db')).toThrow('unsupported store URL scheme "postgres:" in "postgres://u:***@h/db"');
  });
});
