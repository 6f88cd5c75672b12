import { createHash, randomBytes } from 'node:crypto';
import type { SqliteDatabase } from '../../store/sqlite/database.js';

export const ROLES = ['ingest', 'viewer', 'responder', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface TokenInfo {
  id: string;
  name: string;
  role: Role;
  /** Receivers store what this token sends under this cluster name; null = named in the URL. */
  cluster: string | null;
  createdAt: number;
  revokedAt: number | null;
}

const TOKEN_PREFIX = 'vgl_';

/**
 * Bearer tokens, kept only as SHA-256 hashes: a token is 256 random bits, so a fast hash is
 * enough and a stolen database reveals no usable token.
 */
export class TokenStore {
  constructor(private readonly db: SqliteDatabase) {
    db.exec(`CREATE TABLE IF NOT EXISTS tokens (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      role TEXT NOT NULL,
      cluster TEXT,
      hash BLOB NOT NULL UNIQUE,
      created_at INTEGER NOT NULL,
      revoked_at INTEGER
    )`);
  }

  /** Creates a token and returns its secret; the secret is not stored and cannot be shown again. */
  create(name: string, role: Role, cluster: string | null = null): { secret: string; info: TokenInfo } {
    const secret = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const info: TokenInfo = { id: randomBytes(6).toString('hex'), name, role, cluster, createdAt: Date.now(), revokedAt: null };
    this.db
      .prepare('INSERT INTO tokens (id, name, role, cluster, hash, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(info.id, name, role, cluster, hashToken(secret), info.createdAt);
    return { secret, info };
  }

  /** The live token with this secret, or undefined. */
  authenticate(secret: string): TokenInfo | undefined {
    const row = this.db
      .prepare(`SELECT ${COLUMNS} FROM tokens WHERE hash = ? AND revoked_at IS NULL`)
      .get(hashToken(secret)) as TokenInfo | undefined;
    return row;
  }

  list(): TokenInfo[] {
    return this.db.prepare(`SELECT ${COLUMNS} FROM tokens ORDER BY created_at`).all() as TokenInfo[];
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM tokens WHERE revoked_at IS NULL').get() as { n: number }).n;
  }

  revoke(id: string): boolean {
    return this.db.prepare('UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(Date.now(), id).changes > 0;
  }
}

const COLUMNS = 'id, name, role, cluster, created_at AS createdAt, revoked_at AS revokedAt';

function hashToken(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

/** Whether a token's role may do what `needed` allows; roles are ordered, ingest stands apart. */
export function roleAllows(role: Role, needed: Role): boolean {
  if (needed === 'ingest') return role === 'ingest' || role === 'admin';
  const order: Role[] = ['viewer', 'responder', 'admin'];
  return role !== 'ingest' && order.indexOf(role) >= order.indexOf(needed);
}
