import type { FastifyInstance } from 'fastify';
import { loadRuleSets } from '../../detect/loader.js';
import { expectedIntervals, healthReport } from '../../sources/health/report.js';
import type { SqliteSourceHealth } from '../../store/sqlite/source-health.js';
import { requireRole } from '../auth/bearer.js';
import type { TokenStore } from '../auth/token-store.js';

export interface SourcesApiOptions {
  tokens: TokenStore;
  health: SqliteSourceHealth;
  /** The rule locations whose absence rules say how long each source may stay silent (default the built-in pack; `none`: no limits). */
  rules?: string | readonly string[];
}

/** `GET /api/v1/sources`: what `vigil sources -o json` prints, for viewers. */
export function registerSourcesApi(app: FastifyInstance, options: SourcesApiOptions): void {
  const locations = typeof options.rules === 'string' ? [options.rules] : (options.rules ?? []);
  const expected = locations.includes('none') ? new Map<string, number>() : expectedIntervals(loadRuleSets(locations).rules);
  app.get('/api/v1/sources', { preHandler: requireRole(options.tokens, 'viewer') }, async () =>
    healthReport(options.health.list(), expected, Date.now()).map((report) => ({
      ...report,
      firstSeen: isoOf(report.firstSeen),
      lastSeen: isoOf(report.lastSeen),
      lastReceived: isoOf(report.lastReceived),
    })),
  );
}

const isoOf = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());
