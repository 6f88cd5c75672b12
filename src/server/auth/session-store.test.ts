import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type SqliteDatabase, openDatabase } from '../../store/sqlite/database.js';
import { SessionStore } from './session-store.js';
import { TokenStore } from './token-store.js';

const MINUTE = 60_000;

let db: SqliteDatabase | undefined;
afterEach(() => {
  db?.close();
  db = undefined;
});

function setUp(limits = { maxAgeMs: 60 * MINUTE, idleMs: 10 * MINUTE }) {
  db = openDatabase(mkdtempSync(join(tmpdir(), 'vigil-sessions-')));
  const tokens = new TokenStore(db);
  let now = Date.parse('2026-03-02T10:00:00Z');
  const sessions = new SessionStore(db, limits, () => now);
  const { info } = tokens.create('alice', 'responder');
  return { tokens, sessions, token: info, advance: (ms: number) => (now += ms), database: db };
}

describe('SessionStore', () => {
  it('finds a session by its cookie and keeps only a hash of the cookie', () => {
    const { sessions, token, database } = setUp();
    const { cookie, session } = sessions.open(token);
    expect(sessions.find(cookie)).toMatchObject({ id: session.id, token: { name: 'alice', role: 'responder' } });
    expect(sessions.find(`${cookie}x`)).toBeUndefined();
    const stored = database.prepare('SELECT hash FROM ui_sessions').pluck().all() as string[];
    expect(stored).toEqual([session.id]);
    expect(stored[0]).not.toContain(cookie);
  });

  it('ends a session after the idle time, and after the maximum age however active', () => {
    const idle = setUp();
    const quiet = idle.sessions.open(idle.token);
    idle.advance(9 * MINUTE);
    expect(idle.sessions.find(quiet.cookie)).toBeDefined();
    idle.advance(11 * MINUTE);
    expect(idle.sessions.find(quiet.cookie)).toBeUndefined();
    db?.close();

    const busy = setUp();
    const active = busy.sessions.open(busy.token);
    for (let elapsed = 5; elapsed < 60; elapsed += 5) {
      busy.advance(5 * MINUTE);
      expect(busy.sessions.find(active.cookie), `after ${elapsed} minutes`).toBeDefined();
    }
    busy.advance(5 * MINUTE);
    expect(busy.sessions.find(active.cookie)).toBeUndefined();
  });

  it('ends every session of a token when the token is revoked, and closes one on logout', () => {
    const { sessions, tokens, token } = setUp();
    const first = sessions.open(token);
    const second = sessions.open(token);
    sessions.close(second.session.id);
    expect(sessions.find(second.cookie)).toBeUndefined();
    expect(sessions.find(first.cookie)).toBeDefined();
    tokens.revoke(token.id);
    expect(sessions.find(first.cookie)).toBeUndefined();
  });
});
