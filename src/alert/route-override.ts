import type { SqliteDatabase } from '../store/sqlite/database.js';

export interface StoredRoute {
  /** As written (JSON), validated by the caller. */
  route: unknown;
  updatedBy: string;
  updatedAt: number;
}

/**
 * The route tree an admin set through the API. It replaces the config file's `route:` until
 * an admin clears it, survives restarts, and is validated against the file's receivers and
 * escalations whenever it is loaded.
 */
export class RouteOverride {
  private readonly statements;

  constructor(db: SqliteDatabase) {
    db.exec('CREATE TABLE IF NOT EXISTS alert_route_override (id INTEGER PRIMARY KEY CHECK (id = 1), route TEXT NOT NULL, updated_by TEXT NOT NULL, updated_at INTEGER NOT NULL)');
    this.statements = {
      get: db.prepare('SELECT route, updated_by, updated_at FROM alert_route_override WHERE id = 1'),
      set: db.prepare(`INSERT INTO alert_route_override (id, route, updated_by, updated_at) VALUES (1, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET route = excluded.route, updated_by = excluded.updated_by, updated_at = excluded.updated_at`),
      clear: db.prepare('DELETE FROM alert_route_override'),
    };
  }

  get(): StoredRoute | undefined {
    const row = this.statements.get.get() as { route: string; updated_by: string; updated_at: number } | undefined;
    return row ? { route: JSON.parse(row.route) as unknown, updatedBy: row.updated_by, updatedAt: row.updated_at } : undefined;
  }

  set(route: unknown, by: string, now: number): void {
    this.statements.set.run(JSON.stringify(route), by, now);
  }

  clear(): boolean {
    return this.statements.clear.run().changes > 0;
  }
}
