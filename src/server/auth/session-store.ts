import { createHash, randomBytes } from 'node:crypto';
import type { SqliteDatabase } from '../../store/sqlite/database.js';
import type { Role, TokenInfo } from './token-store.js';

/** A browser session of the UI, opened by logging in with an API token. */
export interface Session {
  /** SHA-256 of the cookie value, hex: what is stored, and what CSRF tokens are bound to. */
  id: string;
  token: TokenInfo;
  createdAt: number;
  expiresAt: number;
}

export interface SessionLimits {
  /** A session ends this long after login, however active. */
  maxAgeMs: number;
  /** A session ends after this long without a request. */
  idleMs: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { maxAgeMs: 12 * 3_600_000, idleMs: 3_600_000 };

/** Idle sessions are renewed at most this often, so a busy UI does not write on every request. */
const TOUCH_INTERVAL_MS = 60_000;

interface SessionRow {
  createdAt: number;
  lastSeenAt: number;
  id: string;
  name: string;
  role: Role;
  cluster: string | null;
  tokenCreatedAt: number;
}

/**
 * UI sessions, kept server-side as SHA-256 hashes of the cookie value (256 random bits): a stolen
 * database opens no session. A session lives only as long as the token it was opened with: a
 * revoked token ends its sessions at the next request.
 */
export class SessionStore {
  private readonly statements;

  constructor(
    private readonly db: SqliteDatabase,
    readonly limits: SessionLimits = DEFAULT_SESSION_LIMITS,
    private readonly now: () => number = Date.now,
  ) {
    db.exec(`CREATE TABLE IF NOT EXISTS ui_sessions (
      hash TEXT PRIMARY KEY,
      token_id TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      last_seen_at INTEGER NOT NULL
    )`);
    this.statements = {
      insert: db.prepare('INSERT INTO ui_sessions (hash, token_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)'),
      find: db.prepare(`SELECT s.created_at AS createdAt, s.last_seen_at AS lastSeenAt, t.id, t.name, t.role, t.cluster, t.created_at AS tokenCreatedAt
        FROM ui_sessions s JOIN tokens t ON t.id = s.token_id AND t.revoked_at IS NULL WHERE s.hash = ?`),
      touch: db.prepare('UPDATE ui_sessions SET last_seen_at = ? WHERE hash = ?'),
      remove: db.prepare('DELETE FROM ui_sessions WHERE hash = ?'),
      expire: db.prepare('DELETE FROM ui_sessions WHERE created_at < ? OR last_seen_at < ?'),
    };
  }

  /** Opens a session for a live token; returns the cookie value, which is not stored. */
  open(token: TokenInfo): { cookie: string; session: Session } {
    const now = this.now();
    this.statements.expire.run(now - this.limits.maxAgeMs, now - this.limits.idleMs);
    const cookie = randomBytes(32).toString('base64url');
    const id = hashCookie(cookie);
    this.statements.insert.run(id, token.id, now, now);
    return { cookie, session: { id, token, createdAt: now, expiresAt: this.expiry(now, now) } };
  }

  /** The live session of this cookie value, renewing its idle time; undefined when unknown, expired or its token revoked. */
  find(cookie: string): Session | undefined {
    const id = hashCookie(cookie);
    const row = this.statements.find.get(id) as SessionRow | undefined;
    if (!row) return undefined;
    const now = this.now();
    if (now >= this.expiry(row.createdAt, row.lastSeenAt)) {
      this.statements.remove.run(id);
      return undefined;
    }
    if (now - row.lastSeenAt >= TOUCH_INTERVAL_MS) this.statements.touch.run(now, id);
    const token: TokenInfo = { id: row.id, name: row.name, role: row.role, cluster: row.cluster, createdAt: row.tokenCreatedAt, revokedAt: null };
    return { id, token, createdAt: row.createdAt, expiresAt: this.expiry(row.createdAt, Math.max(row.lastSeenAt, now)) };
  }

  close(id: string): void {
    this.statements.remove.run(id);
  }

  private expiry(createdAt: number, lastSeenAt: number): number {
    return Math.min(createdAt + this.limits.maxAgeMs, lastSeenAt + this.limits.idleMs);
  }
}

function hashCookie(cookie: string): string {
  return createHash('sha256').update(cookie).digest('hex');
}
