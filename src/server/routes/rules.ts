import type { FastifyInstance } from 'fastify';
import type { CompiledRule } from '../../detect/rule.js';
import type { CoverageEntry } from '../../posture/coverage.js';
import type { SqliteDatabase } from '../../store/sqlite/database.js';
import { ruleSchema } from '../api-schemas.js';
import type { RoleGuard } from '../auth/bearer.js';

export interface RulesRoutesOptions {
  db: SqliteDatabase;
  rules: readonly CompiledRule[];
  viewer: RoleGuard;
  /** The coverage matrix of the latest posture report, when it judged an audit policy. */
  coverage: () => readonly CoverageEntry[];
}

interface RuleHits {
  alerts: number;
  open: number;
  detections: number;
  lastSeen?: string;
}

/** `GET /api/v1/rules`: the loaded rules with what they raised, from the alerts table. */
export function registerRulesRoutes(app: FastifyInstance, options: RulesRoutesOptions): void {
  app.get(
    '/api/v1/rules',
    {
      preHandler: options.viewer,
      schema: {
        summary: 'The detection rules this server runs, with their hit counts and audit-policy coverage',
        tags: ['rules'],
        response: { 200: { type: 'array', items: ruleSchema } },
      },
    },
    async () => {
      const hits = hitsByRule(options.db);
      const coverage = new Map(options.coverage().map((entry) => [entry.ruleId, entry]));
      return options.rules.map((rule) => ({
        ...rule.meta,
        techniques: [...rule.meta.techniques],
        enabled: rule.enabled,
        sources: rule.sources === undefined ? undefined : [...rule.sources],
        operator: rule.operator.kind,
        hits: hits.get(rule.meta.id) ?? { alerts: 0, open: 0, detections: 0 },
        coverage: coverageOf(coverage.get(rule.meta.id)),
      }));
    },
  );
}

function coverageOf(entry: CoverageEntry | undefined) {
  return entry === undefined ? undefined : { status: entry.status, covered: entry.covered, checked: entry.checked };
}

function hitsByRule(db: SqliteDatabase): Map<string, RuleHits> {
  const present = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alerts'").get();
  if (!present) return new Map();
  const rows = db
    .prepare(
      `SELECT rule_id AS ruleId, count(*) AS alerts, sum(status = 'open') AS open,
        sum(coalesce(json_extract(json, '$.count'), 0)) AS detections, max(last_seen) AS lastSeen
       FROM alerts GROUP BY rule_id`,
    )
    .all() as Array<{ ruleId: string; alerts: number; open: number; detections: number; lastSeen: number }>;
  return new Map(rows.map((row) => [row.ruleId, { alerts: row.alerts, open: row.open, detections: row.detections, lastSeen: new Date(row.lastSeen).toISOString() }]));
}
