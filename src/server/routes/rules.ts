import { z } from 'zod';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AlertStore } from '../../detect/alert-store.js';
import type { CompiledRule } from '../../detect/rule.js';
import { runRuleTests } from '../../detect/rule-tests.js';
import type { AdminAction } from '../../ledger/admin-record.js';
import type { CoverageEntry } from '../../posture/coverage.js';
import type { SqliteDatabase } from '../../store/sqlite/database.js';
import { type RuleState, SqliteRuleStates, effectiveEnabled } from '../../store/sqlite/rule-state.js';
import { errorSchema, ruleChangeBodySchema, ruleSchema, ruleSelfTestSchema, ruleTrialBodySchema, ruleTrialSchema } from '../api-schemas.js';
import { type RoleGuard, requireRole } from '../auth/bearer.js';
import { TokenStore } from '../auth/token-store.js';
import { TrialInputError, runRuleTrial } from './rule-trial.js';

export interface RulesRoutesOptions {
  db: SqliteDatabase;
  rules: readonly CompiledRule[];
  viewer: RoleGuard;
  /** The coverage matrix of the latest posture report, when it judged an audit policy. */
  coverage: () => readonly CoverageEntry[];
  /** Guards of the testing and changing routes; default: the database's token table. */
  tokens?: TokenStore;
  /**
   * Appends a rule change to the ledger (the server's ledger session, which signs it at once).
   * Without it enable and disable answer 503: a change that leaves no record is not made.
   */
  recordAdminAction?: (action: AdminAction) => void;
  /** Scale-out: the workers' alert store, which the hit counts come from (default: the database's alerts). */
  sharedAlerts?: AlertStore;
  /** Scale-out: why enable and disable are refused here (the workers run the rules); they answer 409 with it. */
  changesRefused?: string;
}

interface RuleHits {
  alerts: number;
  open: number;
  detections: number;
  lastSeen?: string;
}

const TAGS = ['rules'];
/** Pasted NDJSON: like the JSON of the other API requests, a document, not a stream. */
const TRIAL_BODY_LIMIT = 1 << 20;

/** Strict where the JSON Schema validator would only strip unknown keys: a misspelt "reason" must not vanish. */
const changeBody = z.strictObject({ reason: z.string().max(2000).optional() });

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 200, description: 'rule id' } } } as const;

/**
 * `/api/v1/rules`: viewers list the rules with what they raised and whether they run;
 * responders test a rule on pasted events; admins enable and disable rules. A change is kept
 * in the data directory (the detection stage follows it from the next batch on, and after
 * restarts) and recorded in the ledger together, in one transaction.
 *
 * The rule objects given are the server's rule set (the posture report reads them too): their
 * `enabled` is kept equal to the operator's choice, so a disabled rule is not counted as a
 * rule the audit policy leaves blind.
 */
export function registerRulesRoutes(app: FastifyInstance, options: RulesRoutesOptions): void {
  const states = new SqliteRuleStates(options.db);
  const fileEnabled = new Map(options.rules.map((rule) => [rule.meta.id, rule.enabled]));
  const byId = new Map(options.rules.map((rule) => [rule.meta.id, rule]));
  const syncEnabled = (current: ReadonlyMap<string, RuleState>) => {
    for (const rule of options.rules) rule.enabled = effectiveEnabled(current, rule.meta.id, fileEnabled.get(rule.meta.id) ?? true);
  };
  syncEnabled(states.all());
  const tokens = options.tokens ?? new TokenStore(options.db);
  const responder = requireRole(tokens, 'responder');
  const admin = requireRole(tokens, 'admin');

  const viewOf = (rule: CompiledRule, current: ReadonlyMap<string, RuleState>, hits: Map<string, RuleHits>, coverage: Map<string, CoverageEntry>) => {
    const change = current.get(rule.meta.id);
    return {
      ...rule.meta,
      techniques: [...rule.meta.techniques],
      enabled: rule.enabled,
      changed: change && { by: change.changedBy, at: new Date(change.changedAt).toISOString(), reason: change.reason },
      sources: rule.sources === undefined ? undefined : [...rule.sources],
      operator: rule.operator.kind,
      hits: hits.get(rule.meta.id) ?? { alerts: 0, open: 0, detections: 0 },
      coverage: coverageOf(coverage.get(rule.meta.id)),
    };
  };
  const hitsOf = async (ruleId?: string) => (options.sharedAlerts ? sharedHitsByRule(options.sharedAlerts, ruleId) : hitsByRule(options.db, ruleId));
  const view = async (rule: CompiledRule) => {
    const current = states.all();
    syncEnabled(current);
    return viewOf(rule, current, await hitsOf(rule.meta.id), new Map(options.coverage().map((entry) => [entry.ruleId, entry])));
  };
  const ruleOf = (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply): CompiledRule | undefined => {
    const rule = byId.get(request.params.id);
    if (rule === undefined) void reply.code(404).send({ error: `no rule "${request.params.id}" on this server; GET /api/v1/rules lists them` });
    return rule;
  };

  void app.register(async (scope) => {
    // Test events may be pasted as NDJSON; the API scope around takes only JSON.
    scope.addContentTypeParser(['application/x-ndjson', 'text/plain'], { parseAs: 'string', bodyLimit: TRIAL_BODY_LIMIT }, (_request, body, done) => done(null, body));

    scope.get('/api/v1/rules', { preHandler: options.viewer, schema: { summary: 'The detection rules this server has, whether each runs, its hit counts and audit-policy coverage', tags: TAGS, response: { 200: { type: 'array', items: ruleSchema } } } }, async () => {
      const current = states.all();
      syncEnabled(current);
      const hits = await hitsOf();
      const coverage = new Map(options.coverage().map((entry) => [entry.ruleId, entry]));
      return options.rules.map((rule) => viewOf(rule, current, hits, coverage));
    });

    for (const enabled of [true, false]) {
      const verb = enabled ? 'enable' : 'disable';
      scope.post<{ Params: { id: string }; Body: { reason?: string } | null | undefined }>(
        `/api/v1/rules/:id/${verb}`,
        {
          preHandler: admin,
          schema: {
            summary: enabled ? 'Run the rule on what arrives from now on (recorded in the ledger)' : 'Stop running the rule at once, also after restarts (recorded in the ledger)',
            tags: TAGS,
            params: idParams,
            body: ruleChangeBodySchema,
            response: { 200: ruleSchema, 400: errorSchema, 404: errorSchema, 409: errorSchema, 503: errorSchema },
          },
        },
        async (request, reply) => {
          const rule = ruleOf(request, reply);
          if (rule === undefined) return reply;
          if (options.changesRefused !== undefined) return reply.code(409).send({ error: options.changesRefused });
          if (options.recordAdminAction === undefined) return reply.code(503).send({ error: 'this server cannot record rule changes in its ledger; use vigil rules enable|disable on its data directory' });
          const body = changeBody.safeParse(request.body ?? {});
          if (!body.success) return reply.code(400).send({ error: `body: ${body.error.issues.map((issue) => [...issue.path, issue.message].join(': ')).join('; ')}; send {"reason": "…"} or nothing` });
          const by = request.token?.name ?? 'unknown';
          const reason = body.data.reason?.trim() || undefined;
          states.change({ ruleId: rule.meta.id, title: rule.meta.title, enabled, fileDefault: fileEnabled.get(rule.meta.id) ?? true, by, reason }, options.recordAdminAction);
          return view(rule);
        },
      );
    }

    scope.post<{ Params: { id: string }; Body: unknown }>(
      '/api/v1/rules/:id/test',
      {
        preHandler: responder,
        schema: {
          summary: 'Run one rule (stateful ones too) over the given events alone: which match and what it would raise; nothing is stored or sent',
          tags: TAGS,
          params: idParams,
          body: ruleTrialBodySchema,
          response: { 200: ruleTrialSchema, 400: errorSchema, 404: errorSchema },
        },
      },
      async (request, reply) => {
        const rule = ruleOf(request, reply);
        if (rule === undefined) return reply;
        try {
          return runRuleTrial(rule, request.body);
        } catch (error) {
          if (error instanceof TrialInputError) return reply.code(400).send({ error: error.message });
          throw error;
        }
      },
    );

    scope.post<{ Params: { id: string } }>(
      '/api/v1/rules/:id/test/embedded',
      {
        preHandler: responder,
        schema: { summary: "Run the rule's own positive and negative test events, as vigil rules test does", tags: TAGS, params: idParams, response: { 200: ruleSelfTestSchema, 404: errorSchema } },
      },
      async (request, reply) => {
        const rule = ruleOf(request, reply);
        if (rule === undefined) return reply;
        const report = runRuleTests([rule]);
        return { rule: rule.meta.id, results: report.results, failed: report.failed, untested: report.untested.length > 0 };
      },
    );
  });
}

function coverageOf(entry: CoverageEntry | undefined) {
  return entry === undefined ? undefined : { status: entry.status, covered: entry.covered, checked: entry.checked };
}

/** The hit counts from an alert store that has no SQL of its own to offer (the workers' shared one): its alerts, counted here. */
async function sharedHitsByRule(alerts: AlertStore, ruleId?: string): Promise<Map<string, RuleHits>> {
  const hits = new Map<string, RuleHits & { lastSeenMs: number }>();
  for (const alert of await alerts.listAlerts({ ruleId, limit: SHARED_HITS_LIMIT })) {
    const lastSeenMs = Date.parse(alert.lastSeen);
    const hit = hits.get(alert.rule.id) ?? { alerts: 0, open: 0, detections: 0, lastSeenMs };
    hit.alerts += 1;
    hit.open += alert.status === 'open' ? 1 : 0;
    hit.detections += alert.count;
    hit.lastSeenMs = Math.max(hit.lastSeenMs, lastSeenMs);
    hits.set(alert.rule.id, hit);
  }
  return new Map([...hits].map(([id, { lastSeenMs, ...hit }]) => [id, { ...hit, lastSeen: new Date(lastSeenMs).toISOString() }]));
}

/** Alerts counted per request at most; more than this many alerts is a reason to aggregate in the store. */
const SHARED_HITS_LIMIT = 1_000_000;

function hitsByRule(db: SqliteDatabase, ruleId?: string): Map<string, RuleHits> {
  const present = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alerts'").get();
  if (!present) return new Map();
  const rows = db
    .prepare(
      `SELECT rule_id AS ruleId, count(*) AS alerts, sum(status = 'open') AS open,
        sum(coalesce(json_extract(json, '$.count'), 0)) AS detections, max(last_seen) AS lastSeen
       FROM alerts ${ruleId === undefined ? '' : 'WHERE rule_id = @ruleId'} GROUP BY rule_id`,
    )
    .all(ruleId === undefined ? {} : { ruleId }) as Array<{ ruleId: string; alerts: number; open: number; detections: number; lastSeen: number }>;
  return new Map(rows.map((row) => [row.ruleId, { alerts: row.alerts, open: row.open, detections: row.detections, lastSeen: new Date(row.lastSeen).toISOString() }]));
}
