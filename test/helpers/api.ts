import { expect } from 'vitest';
import { type Role, TokenStore } from '../../src/server/auth/token-store.js';
import { openDatabase } from '../../src/store/sqlite/database.js';
import { tempDir, vigil } from './cli.js';

/** A data directory holding the bundled demo cluster, loaded as `vigil demo` does. */
export async function demoDataDir(): Promise<string> {
  const dataDir = tempDir('vigil-api-');
  const result = await vigil(['demo', '--data-dir', dataDir]);
  expect(result.code, result.stderr).toBe(0);
  return dataDir;
}

/** Works on the data directory's token table, as `vigil tokens` does (also while a server runs on it). */
export function withTokens<T>(dataDir: string, work: (tokens: TokenStore) => T): T {
  const db = openDatabase(dataDir);
  try {
    return work(new TokenStore(db));
  } finally {
    db.close();
  }
}

/** A new token: its secret and id. */
export function createToken(dataDir: string, role: Role, name = `${role}-test`): { secret: string; id: string } {
  const { secret, info } = withTokens(dataDir, (tokens) => tokens.create(name, role));
  return { secret, id: info.id };
}

export interface Call {
  method?: string;
  token?: string;
  /** Cookie header value, e.g. from `cookiesOf`. */
  cookie?: string;
  csrf?: string;
  body?: unknown;
}

export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

/** One request to the running server, the way a client of the API sends it. */
export async function call(baseUrl: string, path: string, options: Call = {}): Promise<Answer> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.cookie) headers.cookie = options.cookie;
  if (options.csrf) headers['x-csrf-token'] = options.csrf;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${baseUrl}${path}`, {
    method: options.method ?? 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON (metrics, HTML): the text is the body.
  }
  return { status: response.status, headers: response.headers, body, text };
}

/** The `name=value` pairs of a response's Set-Cookie headers, as a Cookie request header. */
export function cookiesOf(answer: Answer): string {
  return answer.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
}

/** Logs in with a token; returns the cookies and the CSRF token of the new session. */
export async function login(baseUrl: string, token: string): Promise<{ cookie: string; csrf: string; answer: Answer }> {
  const answer = await call(baseUrl, '/api/v1/session', { method: 'POST', body: { token } });
  expect(answer.status, answer.text).toBe(200);
  return { cookie: cookiesOf(answer), csrf: (answer.body as { csrfToken: string }).csrfToken, answer };
}

/** Polls until `check` returns a value (not undefined), or fails after `attempts`. */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, attempts = 100, everyMs = 100): Promise<T> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`gave up waiting for ${what}`);
}
