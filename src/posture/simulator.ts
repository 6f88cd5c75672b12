import type { AuditLevel, AuditStage } from './audit-levels.js';
import type { AuditPolicy, PolicyRule } from './audit-policy.js';
import { stagesProduced, type RequestShape } from './request-shape.js';

/**
 * The audit policy evaluator of kube-apiserver (kubernetes/apiserver pkg/audit/policy/checker.go),
 * re-stated: rules are tried in order and the first one whose every field matches decides; no
 * match means level None. Rule-level omitStages are unioned with the policy's.
 */

export interface PolicyDecision {
  level: AuditLevel;
  omitStages: ReadonlySet<AuditStage>;
  omitManagedFields: boolean;
  /** 0-based index of the deciding rule; undefined when no rule matched (default None). */
  ruleIndex?: number;
}

export function evaluatePolicy(policy: AuditPolicy, request: RequestShape): PolicyDecision {
  const index = policy.rules.findIndex((rule) => ruleMatches(rule, request));
  if (index < 0) {
    return { level: 'None', omitStages: new Set(policy.omitStages ?? []), omitManagedFields: policy.omitManagedFields ?? false };
  }
  const rule = policy.rules[index];
  return {
    level: rule.level,
    omitStages: new Set([...(policy.omitStages ?? []), ...(rule.omitStages ?? [])]),
    omitManagedFields: rule.omitManagedFields ?? policy.omitManagedFields ?? false,
    ruleIndex: index,
  };
}

/** The stages that reach the log for this request under this decision. */
export function loggedStages(decision: PolicyDecision, request: RequestShape): AuditStage[] {
  if (decision.level === 'None') return [];
  return stagesProduced(request).filter((stage) => !decision.omitStages.has(stage));
}

export function ruleMatches(rule: PolicyRule, request: RequestShape): boolean {
  const user = request.user;
  if (nonEmpty(rule.users) && (user === undefined || !rule.users.includes(user.name))) return false;
  if (nonEmpty(rule.userGroups) && (user === undefined || !user.groups.some((group) => rule.userGroups?.includes(group)))) return false;
  if (nonEmpty(rule.verbs) && !rule.verbs.includes(request.verb)) return false;
  if (nonEmpty(rule.namespaces) || nonEmpty(rule.resources)) return matchesResource(rule, request);
  if (nonEmpty(rule.nonResourceURLs)) return matchesNonResource(rule.nonResourceURLs, request);
  return true;
}

function matchesResource(rule: PolicyRule, request: RequestShape): boolean {
  const target = request.resource;
  if (target === undefined) return false;
  if (nonEmpty(rule.namespaces) && !rule.namespaces.includes(target.namespace)) return false;
  if (!nonEmpty(rule.resources)) return true;
  const combined = target.subresource === undefined ? target.resource : `${target.resource}/${target.subresource}`;
  return rule.resources.some((group) => {
    if (group.group !== target.group) return false;
    if (!nonEmpty(group.resources)) return true;
    if (nonEmpty(group.resourceNames) && !group.resourceNames.includes(target.name ?? '')) return false;
    return group.resources.some((pattern) => resourcePatternMatches(pattern, target.resource, target.subresource, combined));
  });
}

/**
 * `pods` (no subresources), `pods/log`, `*` (everything), `*\/scale`, and `pods/*`, which
 * checker.go compares with the bare resource, so it matches pods itself as well as its subresources.
 */
function resourcePatternMatches(pattern: string, resource: string, subresource: string | undefined, combined: string): boolean {
  if (pattern === combined || pattern === '*') return true;
  if (subresource !== undefined && pattern.startsWith('*/') && pattern.slice(2) === subresource) return true;
  return pattern.endsWith('/*') && pattern.slice(0, -2) === resource;
}

function matchesNonResource(urls: readonly string[], request: RequestShape): boolean {
  if (request.resource !== undefined || request.path === undefined) return false;
  const path = request.path;
  return urls.some((spec) => spec === '*' || spec === path || (spec.endsWith('*') && path.startsWith(spec.replace(/\*+$/, ''))));
}

function nonEmpty<T>(list: readonly T[] | undefined): list is readonly T[] {
  return list !== undefined && list.length > 0;
}
