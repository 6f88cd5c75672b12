import { z } from 'zod';
import { SOURCE_KINDS } from '../model/event.js';
import { parseDuration } from './duration.js';

/**
 * The native Vigil YAML rule format. Sigma and Falco importers produce the same `RuleSpec`
 * objects, so one compiler and one engine serve every format.
 */

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const ENTITY_KEYS = [
  'user',
  'namespace',
  'sourceIP',
  'userAgent',
  'resource',
  'name',
  'pod',
  'node',
  'cluster',
  'source',
  'impersonatedUser',
] as const;
export type EntityKey = (typeof ENTITY_KEYS)[number];

const duration = z.union([z.string(), z.number()]).transform((value, ctx) => {
  try {
    return parseDuration(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

const fieldName = z.string().min(1);
const scalar = z.union([z.string(), z.number(), z.boolean()]);

const threshold = z.strictObject({
  count: z.int().positive(),
  within: duration,
  /** Count distinct values of this field instead of events. */
  distinct: fieldName.optional(),
});

const baseline = z.strictObject({
  /** Length of one rate bucket (the rate is "per bucket"). */
  bucket: duration,
  /** Fire above factor × the entity's usual per-bucket count… */
  factor: z.number().positive(),
  /** …and never below this many events in a bucket. */
  floor: z.int().positive(),
  /** History an entity needs before it can fire. */
  warmup: duration,
});

const newValue = z.strictObject({
  fields: z.array(fieldName).min(1),
  /** A value unseen for this long counts as new again. */
  lookback: duration,
  /** An entity must have been seen this long before its new values fire. */
  learn: duration,
});

const sequence = z.strictObject({
  within: duration,
  steps: z.array(z.unknown()).min(2),
  /** false: the steps may come in any order, all within the bound (Sigma `temporal`). */
  ordered: z.boolean().default(true),
});

const absence = z.strictObject({
  /** Fire when a group that was sending stays silent longer than this. */
  after: duration,
});

const auditOrEcsEvent = z.record(z.string(), z.unknown());

/** One event, or a generated burst, or a clock tick, inside a rule test. */
export const testStepSchema = z.union([
  z.strictObject({
    repeat: z.int().positive().max(10_000),
    every: duration,
    event: auditOrEcsEvent,
  }),
  z.strictObject({ tick: z.string() }),
  z.strictObject({ ecs: auditOrEcsEvent, raw: auditOrEcsEvent.optional() }),
  auditOrEcsEvent,
]);
export type TestStep = z.output<typeof testStepSchema>;

const testExpectation = z.strictObject({
  /** Minimum number of events in the resulting alert. */
  count: z.int().positive().optional(),
  entity: z.partialRecord(z.enum(ENTITY_KEYS), z.string()).optional(),
});

const testCase = z.strictObject({
  name: z.string().min(1),
  events: z.array(testStepSchema).min(1),
  expect: testExpectation.optional(),
});
export type TestCase = z.output<typeof testCase>;

export const ruleSpecSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'use lowercase letters, digits, ".", "_" and "-"'),
    title: z.string().min(1),
    description: z.string().min(1),
    severity: z.enum(SEVERITIES),
    techniques: z.array(z.string().regex(/^T\d{4}(\.\d{3})?$/, 'MITRE ATT&CK ids look like T1485 or T1552.007')).default([]),
    runbook: z.string().min(1).optional(),
    enabled: z.boolean().default(true),
    source: z.union([z.enum(SOURCE_KINDS), z.array(z.enum(SOURCE_KINDS)).min(1)]).optional(),
    match: z.unknown().optional(),
    threshold: threshold.optional(),
    baseline: baseline.optional(),
    new_value: newValue.optional(),
    sequence: sequence.optional(),
    absence: absence.optional(),
    group_by: z.array(fieldName).min(1).optional(),
    entity: z.partialRecord(z.enum(ENTITY_KEYS), fieldName).optional(),
    summary: z.string().min(1).optional(),
    /** Detections of the same fingerprint closer together than this join one alert. */
    alert_window: duration.optional(),
    tests: z
      .strictObject({
        positive: z.array(testCase).default([]),
        negative: z.array(testCase).default([]),
      })
      .optional(),
  })
  .superRefine((rule, ctx) => {
    const operators = (['threshold', 'baseline', 'new_value', 'sequence', 'absence'] as const).filter((key) => rule[key] !== undefined);
    if (operators.length > 1) {
      ctx.addIssue({ code: 'custom', path: [operators[1]], message: `a rule has at most one stateful operator; found ${operators.join(' and ')}` });
    }
    const needsGroups = operators.length === 1 && operators[0] !== 'absence';
    if (needsGroups && rule.group_by === undefined) {
      ctx.addIssue({ code: 'custom', path: ['group_by'], message: `${operators[0]} needs group_by: the fields that name whose events are counted` });
    }
  });

/** A rule as written (after defaults and duration parsing); input to the compiler. */
export type RuleSpec = z.output<typeof ruleSpecSchema>;

export const ruleFileSchema = z.strictObject({
  /** Anchors (`&name`) for test events, reused with `<<: *name`; not read otherwise. */
  templates: z.unknown().optional(),
  lists: z.record(z.string().regex(/^[a-z0-9][a-z0-9._-]*$/), z.array(scalar)).optional(),
  rules: z.array(z.unknown()).optional(),
});

/** A zod error as one line per issue: `key.path: message`. */
export function describeIssues(error: z.ZodError, prefix: string[] = []): string {
  return error.issues
    .map((issue) => {
      const key = [...prefix, ...issue.path.map(String)].join('.');
      return `${key === '' ? '(top level)' : key}: ${issue.message}`;
    })
    .join('; ');
}
