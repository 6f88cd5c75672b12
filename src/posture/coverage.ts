import { higherLevel, REQUEST_STAGES, levelAtLeast, type AuditLevel, type AuditStage } from './audit-levels.js';
import type { AuditPolicy } from './audit-policy.js';
import type { Severity } from './findings.js';
import { describeRequest, requestKey, resourceLabel, type RequestShape } from './request-shape.js';
import type { RequiredRequest, RuleRequirement } from './rule-requirements.js';
import { evaluatePolicy, loggedStages, type PolicyDecision } from './simulator.js';

/**
 * The coverage matrix: for each rule, whether the audit policy lets it fire. `fires`: every
 * request it watches is logged at the level and a stage it needs; `partial`: some are not;
 * `blind`: none are (or a sequence step never is); `unknown`: the rule could not be analysed;
 * `not-audit`: the rule reads another source, which the audit policy does not govern.
 */
export type CoverageStatus = 'fires' | 'partial' | 'blind' | 'unknown' | 'not-audit';

export interface CoverageGap {
  request: string;
  shape: RequestShape;
  /** What the policy gives this request. */
  level: AuditLevel;
  logged: readonly AuditStage[];
  /** What the rule needs. */
  needs: AuditLevel;
  stages: readonly AuditStage[];
  reason: string;
  /** 1-based index of the deciding policy rule; absent when none matched. */
  policyRule?: number;
}

export interface CoverageEntry {
  ruleId: string;
  title: string;
  severity: Severity;
  format: string;
  enabled: boolean;
  sources: string[];
  status: CoverageStatus;
  needs: { level: AuditLevel; stages: AuditStage[]; requests: string[] };
  /** Requests checked and how many of them the policy logs as needed. */
  checked: number;
  covered: number;
  /** The first few requests that are not logged as needed. */
  gaps: CoverageGap[];
  notes: string[];
}

/** Kept per rule: enough to write a fix that covers them; tables show the first few. */
const MAX_GAPS = 20;
const MAX_REQUEST_LABELS = 6;

/**
 * Evaluates each rule's requirements against a policy. Without a policy (audit logging off)
 * every rule that reads audit events is blind, for the reason given.
 */
export function evaluateCoverage(policy: AuditPolicy | undefined, requirements: readonly RuleRequirement[], offReason = 'audit logging is off'): CoverageEntry[] {
  const decide = memoizedDecisions(policy);
  return requirements.map((requirement) => coverageOf(requirement, decide, policy === undefined ? offReason : undefined));
}

type Decide = (request: RequestShape) => PolicyDecision | undefined;

function memoizedDecisions(policy: AuditPolicy | undefined): Decide {
  const cache = new Map<string, PolicyDecision>();
  return (request) => {
    if (policy === undefined) return undefined;
    const key = requestKey(request);
    let decision = cache.get(key);
    if (decision === undefined) {
      decision = evaluatePolicy(policy, request);
      cache.set(key, decision);
    }
    return decision;
  };
}

function coverageOf(requirement: RuleRequirement, decide: Decide, offReason: string | undefined): CoverageEntry {
  const { rule } = requirement;
  const entry: CoverageEntry = {
    ruleId: rule.meta.id,
    title: rule.meta.title,
    severity: rule.meta.severity,
    format: rule.meta.format,
    enabled: rule.enabled,
    sources: rule.sources === undefined ? ['*'] : [...rule.sources],
    status: 'unknown',
    needs: needsOf(requirement),
    checked: 0,
    covered: 0,
    gaps: [],
    notes: [...requirement.notes],
  };
  if (!requirement.auditPolicyDecides) {
    return { ...entry, status: 'not-audit', notes: [...entry.notes, `reads ${entry.sources.join(', ')}, which the audit policy does not govern`] };
  }
  if (requirement.unanalysable !== undefined) return { ...entry, notes: [...entry.notes, requirement.unanalysable] };
  const partStatuses: CoverageStatus[] = [];
  for (const part of requirement.parts) {
    const byRequest = groupByRequest(part.requests);
    let covered = 0;
    for (const alternatives of byRequest.values()) {
      const verdicts = alternatives.map((required) => judge(required, decide(required.request), offReason));
      if (verdicts.some((verdict) => verdict === undefined)) covered++;
      else if (entry.gaps.length < MAX_GAPS) entry.gaps.push(verdicts[0] as CoverageGap);
    }
    entry.checked += byRequest.size;
    entry.covered += covered;
    if (byRequest.size === 0) {
      entry.notes.push(`${part.label}: no request that kube-apiserver audits can match it`);
      partStatuses.push('unknown');
    } else if (requirement.mode === 'any') partStatuses.push(covered > 0 ? 'fires' : 'blind');
    else partStatuses.push(covered === byRequest.size ? 'fires' : covered === 0 ? 'blind' : 'partial');
  }
  entry.status = combine(partStatuses);
  if (entry.status === 'fires') entry.gaps = [];
  return entry;
}

function combine(statuses: readonly CoverageStatus[]): CoverageStatus {
  if (statuses.length === 0 || statuses.includes('unknown')) return 'unknown';
  if (statuses.includes('blind')) return 'blind';
  return statuses.includes('partial') ? 'partial' : 'fires';
}

function groupByRequest(requests: readonly RequiredRequest[]): Map<string, RequiredRequest[]> {
  const groups = new Map<string, RequiredRequest[]>();
  for (const required of requests) {
    const key = requestKey(required.request);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [required]);
    else group.push(required);
  }
  return groups;
}

/** Undefined when the policy logs the request as the rule needs; otherwise the gap. */
function judge(required: RequiredRequest, decision: PolicyDecision | undefined, offReason = 'audit logging is off'): CoverageGap | undefined {
  const base = { request: describeRequest(required.request), shape: required.request, needs: required.level, stages: required.stages };
  if (decision === undefined) return { ...base, level: 'None', logged: [], reason: offReason };
  const policyRule = decision.ruleIndex === undefined ? undefined : decision.ruleIndex + 1;
  const logged = loggedStages(decision, required.request);
  const gap = { ...base, level: decision.level, logged, policyRule };
  const by = policyRule === undefined ? 'no policy rule matches (default None)' : `policy rule #${policyRule}`;
  if (decision.level === 'None') return { ...gap, reason: `not logged: ${by} sets level None` };
  if (!levelAtLeast(decision.level, required.level)) {
    return { ...gap, reason: `logged at ${decision.level} by ${by}; the rule reads ${required.bodyFields.join(', ')}, which needs ${required.level}` };
  }
  const usable = logged.filter((stage) => required.stages.includes(stage) && !(required.needsResponse && stage === 'RequestReceived'));
  if (usable.length > 0) return undefined;
  const wanted = required.stages.filter((stage) => !(required.needsResponse && stage === 'RequestReceived'));
  return { ...gap, reason: `logged only at ${logged.join(', ') || 'no stage'} (${by} and omitStages); the rule needs ${wanted.join(' or ')}` };
}

function needsOf(requirement: RuleRequirement): CoverageEntry['needs'] {
  let level: AuditLevel = 'Metadata';
  const stages = new Set<AuditStage>();
  const labels = new Set<string>();
  for (const part of requirement.parts) {
    for (const required of part.requests) {
      level = higherLevel(level, required.level);
      for (const stage of required.stages) if (!(required.needsResponse && stage === 'RequestReceived')) stages.add(stage);
      const request = required.request;
      labels.add(request.resource === undefined ? `${request.verb} ${request.path}` : `${request.verb} ${resourceLabel({ ...request.resource, namespace: '' })}`);
    }
  }
  const requests = [...labels];
  const shown = requests.length > MAX_REQUEST_LABELS ? [...requests.slice(0, MAX_REQUEST_LABELS), `… ${requests.length - MAX_REQUEST_LABELS} more`] : requests;
  return { level, stages: REQUEST_STAGES.filter((stage) => stages.has(stage)), requests: shown };
}
