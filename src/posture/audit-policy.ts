import { readFileSync } from 'node:fs';
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { AUDIT_LEVELS, AUDIT_STAGES, type AuditLevel, type AuditStage } from './audit-levels.js';

/**
 * The audit Policy of kube-apiserver (`audit.k8s.io/v1`), read and validated the way the
 * apiserver does before it starts: an invalid policy keeps kube-apiserver from starting.
 */

export interface GroupResources {
  /** "" is the core group; no wildcard (the apiserver requires a DNS subdomain or ""). */
  group: string;
  /** Empty: every resource and subresource of the group. */
  resources?: string[];
  resourceNames?: string[];
}

export interface PolicyRule {
  level: AuditLevel;
  users?: string[];
  userGroups?: string[];
  verbs?: string[];
  resources?: GroupResources[];
  /** "" selects cluster-scoped resources. */
  namespaces?: string[];
  nonResourceURLs?: string[];
  omitStages?: AuditStage[];
  omitManagedFields?: boolean;
}

export interface AuditPolicy {
  rules: PolicyRule[];
  omitStages?: AuditStage[];
  omitManagedFields?: boolean;
}

/** A policy with where it came from, so findings can point at the rule's line. */
export interface LoadedPolicy {
  policy: AuditPolicy;
  file?: string;
  /** 1-based line of each rule in the file (same order as `policy.rules`). */
  ruleLines: number[];
}

/** A policy kube-apiserver would refuse; `problems` names each key at fault. */
export class PolicyError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: not a valid audit policy (kube-apiserver would refuse to start):\n  ${problems.join('\n  ')}`);
  }
}

const stage = z.enum(AUDIT_STAGES);
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const groupResources = z.strictObject({
  group: z
    .string()
    .default('')
    .refine((group) => group === '' || (group.length <= 253 && dnsSubdomain.test(group)), {
      message: 'group must be "" (core) or an API group name such as "apps"; wildcards are not allowed, list the groups',
    }),
  resources: z.array(z.string().min(1)).optional(),
  resourceNames: z.array(z.string().min(1)).optional(),
});

const policyRule = z.strictObject({
  level: z.enum(AUDIT_LEVELS),
  users: z.array(z.string()).optional(),
  userGroups: z.array(z.string()).optional(),
  verbs: z.array(z.string()).optional(),
  resources: z.array(groupResources).optional(),
  namespaces: z.array(z.string()).optional(),
  nonResourceURLs: z.array(z.string()).optional(),
  omitStages: z.array(stage).optional(),
  omitManagedFields: z.boolean().optional(),
});

const policySchema = z.strictObject({
  apiVersion: z.literal('audit.k8s.io/v1', {
    message: 'apiVersion must be audit.k8s.io/v1 (v1beta1 and v1alpha1 were removed in Kubernetes 1.24)',
  }),
  kind: z.literal('Policy', { message: 'kind must be Policy' }),
  metadata: z.record(z.string(), z.unknown()).optional(),
  omitStages: z.array(stage).optional(),
  omitManagedFields: z.boolean().optional(),
  rules: z.array(policyRule).min(1, 'a policy needs at least one rule ("A policy with no (0) rules is treated as illegal")'),
});

export function loadAuditPolicy(path: string): LoadedPolicy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new PolicyError(path, [`cannot read the file: ${(error as Error).message}`]);
  }
  return parseAuditPolicy(text, path);
}

export function parseAuditPolicy(text: string, file = 'audit policy'): LoadedPolicy {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  if (document.errors.length > 0) throw new PolicyError(file, [`not valid YAML: ${document.errors[0].message.split('\n')[0]}`]);
  const parsed = policySchema.safeParse(document.toJS());
  if (!parsed.success) {
    throw new PolicyError(
      file,
      parsed.error.issues.map((issue) => `${issue.path.length === 0 ? '(top level)' : issue.path.join('.')}: ${issue.message}`),
    );
  }
  const { rules, omitStages, omitManagedFields } = parsed.data;
  const problems = rules.flatMap((rule, i) => ruleProblems(rule, i));
  if (problems.length > 0) throw new PolicyError(file, problems);
  return { policy: { rules, omitStages, omitManagedFields }, file, ruleLines: ruleLinesOf(document, lineCounter) };
}

/** The checks of the apiserver's ValidatePolicy beyond the shape of the document. */
function ruleProblems(rule: PolicyRule, index: number): string[] {
  const at = `rules.${index}`;
  const problems: string[] = [];
  const targetsResources = (rule.resources?.length ?? 0) > 0 || (rule.namespaces?.length ?? 0) > 0;
  if (targetsResources && (rule.nonResourceURLs?.length ?? 0) > 0) {
    problems.push(`${at}: rules cannot apply to both regular resources and non-resource URLs; split it in two`);
  }
  rule.nonResourceURLs?.forEach((url, i) => {
    if (url === '*') return;
    if (!url.startsWith('/')) problems.push(`${at}.nonResourceURLs.${i}: "${url}" must begin with "/"`);
    if (url.slice(0, -1).includes('*')) problems.push(`${at}.nonResourceURLs.${i}: "${url}": "*" is only allowed as the final character`);
  });
  rule.resources?.forEach((group, i) => {
    if ((group.resourceNames?.length ?? 0) > 0 && (group.resources?.length ?? 0) === 0) {
      problems.push(`${at}.resources.${i}: resourceNames requires resources to be listed`);
    }
  });
  return problems;
}

function ruleLinesOf(document: ReturnType<typeof parseDocument>, lineCounter: LineCounter): number[] {
  const rules = isMap(document.contents) ? document.contents.get('rules', true) : undefined;
  if (!isSeq(rules)) return [];
  return rules.items.map((item) => {
    const offset = (item as { range?: [number, number, number] }).range?.[0];
    return offset === undefined ? 0 : lineCounter.linePos(offset).line;
  });
}
