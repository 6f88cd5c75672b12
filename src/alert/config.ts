import { z } from 'zod';
import { durationMs } from './duration-schema.js';
import { keyText } from './key-path.js';
import { LABEL_NAMES } from './labels.js';
import { type Matcher, MatcherError, parseMatcher } from './matchers.js';
import { substituteEnv } from './env-substitution.js';
import { findSinkType, SINK_TYPES } from './sinks/index.js';

/**
 * The `alerting:` section of Vigil's config file (YAML), validated at load. Every problem is
 * reported with the key it concerns (`alerting.route.routes[1].escalation: …`), all at once.
 * `${NAME}` in any string is replaced by the environment variable NAME (`$${` for a literal
 * `${`); receivers' secret keys are never printed.
 *
 *   alerting:
 *     resolve_after: 30m          # auto-resolve after this long without a new detection (default: off)
 *     reopen_window: 24h          # a recurrence this soon after resolution continues the incident
 *     receivers:
 *       secops-slack: {type: slack, url: "${SLACK_WEBHOOK_URL}"}
 *     escalations:
 *       security:
 *         tiers:
 *           - {after: 0m, notify: [secops-slack]}
 *     route:
 *       escalation: security      # the default route; child routes below refine it
 *       routes:
 *         - {matchers: ["severity>=high"], escalation: security, continue: true}
 */

export interface DeliveryPolicy {
  /** Attempts before a notification goes to the dead letters. */
  maxAttempts: number;
  /** First retry delay; doubled each attempt up to `maxBackoffMs`, with full jitter. */
  backoffMs: number;
  maxBackoffMs: number;
  timeoutMs: number;
  /** Deliveries in flight at once to this receiver. */
  concurrency: number;
  /** Deliveries started per second to this receiver; 0 = no limit. */
  ratePerSecond: number;
}

export interface ReceiverConfig {
  name: string;
  type: string;
  /** What the sink type's schema produced; handed to its `create`. */
  settings: unknown;
  delivery: DeliveryPolicy;
}

export interface EscalationTier {
  afterMs: number;
  receivers: string[];
}

/** Who is told when, for alerts that reach a route; a snapshot of it is kept with each alert. */
export interface EscalationPlan {
  /** The escalation's name, or `route <id>` for a route that names receivers directly. */
  name: string;
  tiers: EscalationTier[];
  /** Re-notifications of the last tier while unacknowledged; null = no limit. */
  repeat: number | null;
  repeatIntervalMs: number;
}

export interface RouteNode {
  /** The route's `name`, or its position in the tree (`route.routes[0]`). */
  id: string;
  matchers: Matcher[];
  continue: boolean;
  /** Labels whose values form a notification group; null = each alert its own group. */
  groupBy: string[] | null;
  /** Default 30 s / 5 m (Alertmanager's) when grouping by labels, 0 when each alert is its own group. */
  groupWaitMs: number;
  groupIntervalMs: number;
  /** Undefined for a route that notifies nobody (the default route without receivers). */
  plan?: EscalationPlan;
  children: RouteNode[];
}

export interface InhibitRule {
  source: Matcher[];
  target: Matcher[];
  /** Labels that must be equal on both; `entity` stands for every entity label. */
  equal: string[];
}

export interface AlertingConfig {
  resolveAfterMs: number;
  reopenWindowMs: number;
  evaluationIntervalMs: number;
  externalUrl?: string;
  receivers: ReadonlyMap<string, ReceiverConfig>;
  /** What routes may name; kept to validate route edits. */
  routeContext: RouteContext;
  route: RouteNode;
  /** The route tree as written (after env substitution), for the API and for edits. */
  routeInput: unknown;
  inhibitRules: InhibitRule[];
}

export class AlertingConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`${problems.length} problem(s) in the alerting config:\n  ${problems.join('\n  ')}`);
  }
}

export const DEFAULT_DELIVERY: DeliveryPolicy = {
  maxAttempts: 50,
  backoffMs: 1_000,
  maxBackoffMs: 300_000,
  timeoutMs: 10_000,
  concurrency: 2,
  ratePerSecond: 10,
};

const DEFAULTS = {
  reopenWindowMs: 86_400_000,
  evaluationIntervalMs: 1_000,
  /** Alertmanager's, for routes that group alerts by labels; alone in its group, an alert waits for nothing. */
  groupWaitMs: 30_000,
  groupIntervalMs: 300_000,
  repeatIntervalMs: 4 * 3_600_000,
};

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'use letters, digits, ".", "_" and "-"');

const deliverySchema = z.strictObject({
  max_attempts: z.number().int().min(1).optional(),
  backoff: durationMs.optional(),
  max_backoff: durationMs.optional(),
  timeout: durationMs.optional(),
  concurrency: z.number().int().min(1).optional(),
  rate_per_second: z.number().min(0).optional(),
});
type RawDelivery = z.infer<typeof deliverySchema>;

const tierSchema = z.strictObject({ after: durationMs, notify: z.array(name).min(1) });

const escalationSchema = z.strictObject({
  tiers: z.array(tierSchema).min(1),
  repeat: z.number().int().min(0).optional(),
  repeat_interval: durationMs.optional(),
});
export type RawEscalation = z.infer<typeof escalationSchema>;

export interface RawRoute {
  name?: string;
  matchers?: string[];
  continue?: boolean;
  receivers?: string[];
  escalation?: string;
  group_by?: string[];
  group_wait?: number;
  group_interval?: number;
  repeat_interval?: number;
  repeat?: number;
  routes?: RawRoute[];
}

export const routeSchema: z.ZodType<RawRoute, unknown> = z.lazy(() =>
  z.strictObject({
    name: name.optional(),
    matchers: z.array(z.string()).optional(),
    continue: z.boolean().optional(),
    receivers: z.array(name).optional(),
    escalation: name.optional(),
    group_by: z.array(z.string()).optional(),
    group_wait: durationMs.optional(),
    group_interval: durationMs.optional(),
    repeat_interval: durationMs.optional(),
    repeat: z.number().int().min(0).optional(),
    routes: z.array(routeSchema).optional(),
  }),
);

const inhibitSchema = z.strictObject({
  source_matchers: z.array(z.string()).min(1),
  target_matchers: z.array(z.string()).min(1),
  equal: z.array(z.string()).default([]),
});

/** The scalar settings; receivers, escalations, routes and inhibit rules are checked one by one so every problem shows. */
const settingsSchema = z.strictObject({
  resolve_after: durationMs.optional(),
  reopen_window: durationMs.optional(),
  evaluation_interval: durationMs.optional(),
  external_url: z.url({ protocol: /^https?$/ }).optional(),
  delivery: deliverySchema.optional(),
  receivers: z.unknown().optional(),
  escalations: z.unknown().optional(),
  route: z.unknown().optional(),
  inhibit_rules: z.unknown().optional(),
});
const receiversSchema = z.record(name, z.looseObject({ type: z.string() })).default({});
const escalationsSchema = z.record(name, escalationSchema).default({});
const inhibitRulesSchema = z.array(inhibitSchema).optional();

/** The default inhibition: a firing critical alert mutes lower-severity alerts about the same entity. */
export const DEFAULT_INHIBIT_RULES = [{ source_matchers: ['severity=critical'], target_matchers: ['severity<critical'], equal: ['entity'] }];

/** Parses the value of the `alerting:` key. `prefix` names the section in messages. */
export function parseAlertingConfig(raw: unknown, env: NodeJS.ProcessEnv = process.env, prefix = 'alerting'): AlertingConfig {
  const problems: string[] = [];
  const substituted = substituteEnv(raw ?? {}, env, [prefix], problems);
  const part = <T>(schema: z.ZodType<T, unknown>, value: unknown, path: Array<string | number>, fallback: T): T => {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    problems.push(...issueLines(parsed.error, path));
    return fallback;
  };
  const settings = part(settingsSchema, substituted, [prefix], {} as z.infer<typeof settingsSchema>);
  const whole = (typeof substituted === 'object' && substituted !== null ? substituted : {}) as Record<string, unknown>;
  const rawReceivers = part(receiversSchema, whole.receivers, [prefix, 'receivers'], {});
  const escalations = part(escalationsSchema, whole.escalations, [prefix, 'escalations'], {});
  const defaultDelivery = deliveryPolicy(settings.delivery, DEFAULT_DELIVERY);
  const receivers = new Map<string, ReceiverConfig>();
  for (const [receiverName, rawReceiver] of Object.entries(rawReceivers)) {
    const receiver = parseReceiver(receiverName, rawReceiver, defaultDelivery, [prefix, 'receivers', receiverName], problems);
    if (receiver) receivers.set(receiverName, receiver);
  }
  for (const [escalationName, escalation] of Object.entries(escalations)) {
    escalation.tiers.forEach((tier, index) => {
      tier.notify.forEach((receiver, position) => {
        if (!rawReceivers[receiver]) problems.push(`${keyText([prefix, 'escalations', escalationName, 'tiers', index, 'notify', position])}: ${unknownName('receiver', receiver, rawReceivers)}`);
      });
      const previous = escalation.tiers[index - 1];
      if (previous && tier.after < previous.after) problems.push(`${keyText([prefix, 'escalations', escalationName, 'tiers', index, 'after'])}: tiers must be in order of "after"`);
    });
  }
  const routeContext: RouteContext = { receivers: rawReceivers, escalations };
  const rawRoute = part(routeSchema, whole.route ?? {}, [prefix, 'route'], {});
  const route = compileRouteTree(rawRoute, routeContext, [prefix, 'route'], problems);
  const rawInhibitRules = part(inhibitRulesSchema, whole.inhibit_rules, [prefix, 'inhibit_rules'], undefined);
  const inhibitRules = compileInhibitRules(rawInhibitRules ?? DEFAULT_INHIBIT_RULES, [prefix, 'inhibit_rules'], problems);
  if (problems.length > 0) throw new AlertingConfigError(withoutEchoes(problems));
  return {
    resolveAfterMs: settings.resolve_after ?? 0,
    reopenWindowMs: settings.reopen_window ?? DEFAULTS.reopenWindowMs,
    evaluationIntervalMs: Math.max(settings.evaluation_interval ?? DEFAULTS.evaluationIntervalMs, 50),
    externalUrl: settings.external_url?.replace(/\/+$/, ''),
    receivers,
    routeContext,
    route,
    routeInput: whole.route ?? {},
    inhibitRules,
  };
}

/** The config of a Vigil without an `alerting:` section: lifecycle only, nobody notified. */
export function defaultAlertingConfig(): AlertingConfig {
  return parseAlertingConfig({}, {});
}

export interface RouteContext {
  receivers: Readonly<Record<string, unknown>>;
  escalations: Readonly<Record<string, RawEscalation>>;
}

/**
 * Validates and compiles a route tree against the receivers and escalations it may name; used
 * at load and when an admin replaces the routes through the API.
 */
export function parseRouteTree(raw: unknown, context: RouteContext, prefix = 'route'): RouteNode {
  const problems: string[] = [];
  const parsed = routeSchema.safeParse(raw);
  if (!parsed.success) throw new AlertingConfigError(issueLines(parsed.error, [prefix]));
  const route = compileRouteTree(parsed.data, context, [prefix], problems);
  if (problems.length > 0) throw new AlertingConfigError(problems);
  return route;
}

interface Inherited {
  groupBy: string[] | null;
  /** Undefined until a route sets them: the default then depends on the route's grouping. */
  groupWaitMs?: number;
  groupIntervalMs?: number;
  repeatIntervalMs: number;
  repeat: number | null;
  plan?: EscalationPlan;
}

function compileRouteTree(raw: RawRoute, context: RouteContext, path: Array<string | number>, problems: string[]): RouteNode {
  if (raw.matchers && raw.matchers.length > 0) problems.push(`${keyText([...path, 'matchers'])}: the default route matches every alert; put matchers on its child routes`);
  if (raw.continue) problems.push(`${keyText([...path, 'continue'])}: the default route has no siblings to continue to`);
  const root: Inherited = {
    groupBy: null,
    repeatIntervalMs: DEFAULTS.repeatIntervalMs,
    repeat: null,
  };
  return compileRoute(raw, root, context, path, problems);
}

function compileRoute(raw: RawRoute, parent: Inherited, context: RouteContext, path: Array<string | number>, problems: string[]): RouteNode {
  const id = raw.name ?? keyText(path.slice(1));
  const matchers = (raw.matchers ?? []).flatMap((text, index) => {
    try {
      return [parseMatcher(text)];
    } catch (error) {
      problems.push(`${keyText([...path, 'matchers', index])}: ${(error as MatcherError).message}`);
      return [];
    }
  });
  const groupBy = raw.group_by === undefined ? parent.groupBy : raw.group_by.includes('...') ? null : raw.group_by;
  (raw.group_by ?? []).forEach((label, index) => {
    if (label !== '...' && !LABEL_NAMES.includes(label)) problems.push(`${keyText([...path, 'group_by', index])}: unknown label "${label}" (labels: ${LABEL_NAMES.join(', ')})`);
  });
  const inherited: Inherited = {
    groupBy,
    groupWaitMs: raw.group_wait ?? parent.groupWaitMs,
    groupIntervalMs: raw.group_interval ?? parent.groupIntervalMs,
    repeatIntervalMs: raw.repeat_interval ?? parent.repeatIntervalMs,
    repeat: raw.repeat ?? parent.repeat,
  };
  inherited.plan = routePlan(raw, id, inherited, parent.plan, context, path, problems);
  const children = (raw.routes ?? []).map((child, index) => compileRoute(child, inherited, context, [...path, 'routes', index], problems));
  const grouped = groupBy !== null;
  return {
    id,
    matchers,
    continue: raw.continue ?? false,
    groupBy,
    groupWaitMs: inherited.groupWaitMs ?? (grouped ? DEFAULTS.groupWaitMs : 0),
    groupIntervalMs: inherited.groupIntervalMs ?? (grouped ? DEFAULTS.groupIntervalMs : 0),
    plan: inherited.plan,
    children,
  };
}

function routePlan(
  raw: RawRoute,
  id: string,
  settings: Inherited,
  parentPlan: EscalationPlan | undefined,
  context: RouteContext,
  path: Array<string | number>,
  problems: string[],
): EscalationPlan | undefined {
  if (raw.escalation !== undefined && raw.receivers !== undefined) {
    problems.push(`${keyText(path)}: give either "escalation" or "receivers", not both`);
    return undefined;
  }
  if (raw.escalation !== undefined) {
    const escalation = context.escalations[raw.escalation];
    if (!escalation) {
      problems.push(`${keyText([...path, 'escalation'])}: ${unknownName('escalation', raw.escalation, context.escalations)}`);
      return undefined;
    }
    return {
      name: raw.escalation,
      tiers: escalation.tiers.map((tier) => ({ afterMs: tier.after, receivers: tier.notify })),
      repeat: escalation.repeat ?? settings.repeat,
      repeatIntervalMs: escalation.repeat_interval ?? settings.repeatIntervalMs,
    };
  }
  if (raw.receivers !== undefined) {
    raw.receivers.forEach((receiver, index) => {
      if (!context.receivers[receiver]) problems.push(`${keyText([...path, 'receivers', index])}: ${unknownName('receiver', receiver, context.receivers)}`);
    });
    if (raw.receivers.length === 0) return undefined;
    return { name: `route ${id}`, tiers: [{ afterMs: 0, receivers: raw.receivers }], repeat: settings.repeat, repeatIntervalMs: settings.repeatIntervalMs };
  }
  if (!parentPlan) return undefined;
  // A child that only changes timings keeps its parent's receivers with its own repeat settings.
  return { ...parentPlan, repeat: raw.repeat ?? parentPlan.repeat, repeatIntervalMs: raw.repeat_interval ?? parentPlan.repeatIntervalMs };
}

function parseReceiver(
  receiverName: string,
  raw: { type: string; [key: string]: unknown },
  defaultDelivery: DeliveryPolicy,
  path: Array<string | number>,
  problems: string[],
): ReceiverConfig | undefined {
  const sinkType = findSinkType(raw.type);
  if (!sinkType) {
    problems.push(`${keyText([...path, 'type'])}: unknown receiver type "${raw.type}" (types: ${SINK_TYPES.map((type) => type.type).join(', ')})`);
    return undefined;
  }
  const { type: _type, delivery: rawDelivery, ...settings } = raw;
  const delivery = deliverySchema.optional().safeParse(rawDelivery);
  if (!delivery.success) problems.push(...issueLines(delivery.error, [...path, 'delivery']));
  const parsed = sinkType.schema.safeParse(settings);
  if (!parsed.success) {
    problems.push(...issueLines(parsed.error, path));
    return undefined;
  }
  return { name: receiverName, type: sinkType.type, settings: parsed.data, delivery: deliveryPolicy(delivery.data, defaultDelivery) };
}

function deliveryPolicy(raw: RawDelivery | undefined, base: DeliveryPolicy): DeliveryPolicy {
  return {
    maxAttempts: raw?.max_attempts ?? base.maxAttempts,
    backoffMs: raw?.backoff ?? base.backoffMs,
    maxBackoffMs: raw?.max_backoff ?? base.maxBackoffMs,
    timeoutMs: raw?.timeout || base.timeoutMs,
    concurrency: raw?.concurrency ?? base.concurrency,
    ratePerSecond: raw?.rate_per_second ?? base.ratePerSecond,
  };
}

function compileInhibitRules(raw: ReadonlyArray<z.infer<typeof inhibitSchema>>, path: Array<string | number>, problems: string[]): InhibitRule[] {
  return raw.map((rule, index) => {
    const matchers = (key: 'source_matchers' | 'target_matchers') =>
      rule[key].flatMap((text, position) => {
        try {
          return [parseMatcher(text)];
        } catch (error) {
          problems.push(`${keyText([...path, index, key, position])}: ${(error as Error).message}`);
          return [];
        }
      });
    rule.equal.forEach((label, position) => {
      if (label !== 'entity' && !LABEL_NAMES.includes(label)) problems.push(`${keyText([...path, index, 'equal', position])}: unknown label "${label}" (labels: entity, ${LABEL_NAMES.join(', ')})`);
    });
    return { source: matchers('source_matchers'), target: matchers('target_matchers'), equal: rule.equal };
  });
}

function unknownName(kind: string, wanted: string, defined: Readonly<Record<string, unknown>>): string {
  const names = Object.keys(defined);
  return `no ${kind} named "${wanted}" (${names.length > 0 ? `defined: ${names.join(', ')}` : `none is defined under ${kind}s`})`;
}

/** A key whose environment variable is missing is reported for that alone, not also for the value left in its place. */
function withoutEchoes(problems: readonly string[]): string[] {
  const unset = new Set(problems.filter((problem) => problem.includes(': environment variable ')).map((problem) => problem.slice(0, problem.indexOf(': '))));
  return problems.filter((problem) => problem.includes(': environment variable ') || !unset.has(problem.slice(0, problem.indexOf(': '))));
}

function issueLines(error: z.ZodError, prefix: Array<string | number>): string[] {
  return error.issues.map((issue) => {
    const key = keyText([...prefix, ...issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part))]);
    return `${key}: ${issueMessage(issue)}`;
  });
}

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown key(s) ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) return `required (${issue.expected})`;
  return issue.message;
}
