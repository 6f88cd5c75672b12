import { Document, isMap, isSeq, stringify } from 'yaml';
import type { AuditLevel } from './audit-levels.js';
import type { AuditPolicy, GroupResources, PolicyRule } from './audit-policy.js';
import type { RequestShape } from './request-shape.js';

/** Audit policy documents as YAML, and the policy rules that would log given requests. */

export interface CommentedRule {
  rule: PolicyRule;
  /** Why the rule is there; written above it. */
  comment: string;
}

export function policyToYaml(policy: AuditPolicy, options: { header?: string; comments?: readonly string[] } = {}): string {
  const document = new Document({
    apiVersion: 'audit.k8s.io/v1',
    kind: 'Policy',
    ...(policy.omitStages === undefined ? {} : { omitStages: policy.omitStages }),
    ...(policy.omitManagedFields === undefined ? {} : { omitManagedFields: policy.omitManagedFields }),
    rules: policy.rules.map(compactRule),
  });
  if (options.header !== undefined) document.commentBefore = prefixLines(options.header);
  const rules = isMap(document.contents) ? document.contents.get('rules', true) : undefined;
  if (isSeq(rules) && options.comments !== undefined) {
    rules.items.forEach((item, i) => {
      const comment = options.comments?.[i];
      if (comment !== undefined && comment !== '' && item !== null && typeof item === 'object') (item as { commentBefore?: string }).commentBefore = prefixLines(comment);
    });
  }
  return document.toString({ lineWidth: 0, flowCollectionPadding: false });
}

export function rulesToYaml(rules: readonly PolicyRule[]): string {
  return stringify(rules.map(compactRule), { lineWidth: 0 });
}

function prefixLines(text: string): string {
  return text
    .split('\n')
    .map((line) => ` ${line}`)
    .join('\n');
}

/** Keys in the order people write them; empty lists left out. */
function compactRule(rule: PolicyRule): Record<string, unknown> {
  const out: Record<string, unknown> = { level: rule.level };
  for (const key of ['users', 'userGroups', 'verbs', 'namespaces', 'nonResourceURLs'] as const) {
    if ((rule[key]?.length ?? 0) > 0) out[key] = rule[key];
  }
  if ((rule.resources?.length ?? 0) > 0) {
    out.resources = rule.resources?.map((group) => ({
      group: group.group,
      ...((group.resources?.length ?? 0) > 0 ? { resources: group.resources } : {}),
      ...((group.resourceNames?.length ?? 0) > 0 ? { resourceNames: group.resourceNames } : {}),
    }));
  }
  if ((rule.omitStages?.length ?? 0) > 0) out.omitStages = rule.omitStages;
  if (rule.omitManagedFields !== undefined) out.omitManagedFields = rule.omitManagedFields;
  return out;
}

/**
 * Policy rules that log these requests at `level`: one for resource requests (resources grouped
 * by API group, the verbs seen) and one for non-resource URLs. No user or namespace limits, so
 * the rule also covers the callers and namespaces the examples stand for.
 */
export function rulesLogging(requests: readonly RequestShape[], level: AuditLevel): PolicyRule[] {
  const byGroup = new Map<string, Set<string>>();
  const verbs = new Set<string>();
  const paths = new Set<string>();
  const pathVerbs = new Set<string>();
  for (const request of requests) {
    const target = request.resource;
    if (target === undefined) {
      if (request.path !== undefined) paths.add(request.path);
      pathVerbs.add(request.verb);
      continue;
    }
    verbs.add(request.verb);
    const resource = target.subresource === undefined ? target.resource : `${target.resource}/${target.subresource}`;
    const set = byGroup.get(target.group) ?? new Set<string>();
    set.add(resource);
    byGroup.set(target.group, set);
  }
  const rules: PolicyRule[] = [];
  if (byGroup.size > 0) {
    const resources: GroupResources[] = [...byGroup].map(([group, names]) => ({ group, resources: [...names].sort() }));
    rules.push({ level, verbs: [...verbs].sort(), resources });
  }
  if (paths.size > 0) rules.push({ level, nonResourceURLs: [...paths].sort() });
  return rules;
}
