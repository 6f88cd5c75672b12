import { levelAtLeast, type AuditLevel } from './audit-levels.js';
import type { LoadedPolicy } from './audit-policy.js';
import type { CoverageEntry, CoverageGap } from './coverage.js';
import { CIS, FINDING_SEVERITIES, type Finding, type FindingLocation, type Severity } from './findings.js';
import { rulesLogging, rulesToYaml } from './policy-yaml.js';
import { REQUEST_CATALOG, type CatalogEntry } from './request-catalog.js';
import { describeRequest, resourceLabel, userNamed, type RequestShape } from './request-shape.js';
import { evaluatePolicy, loggedStages, type PolicyDecision } from './simulator.js';

/**
 * Findings about an audit policy: security-relevant requests it drops or logs without their
 * outcome, sensitive bodies it writes to the log, and the detection rules it leaves blind.
 */
export function checkAuditPolicy(loaded: LoadedPolicy): Finding[] {
  return [...REQUEST_CATALOG.flatMap((entry) => catalogFindings(loaded, entry)), ...sensitiveBodyFindings(loaded)];
}

const MAX_EVIDENCE = 4;
/** Requests that carry a body worth logging; a delete's body is only its options. */
const BODY_VERBS = new Set(['create', 'update', 'patch']);

function catalogFindings(loaded: LoadedPolicy, entry: CatalogEntry): Finding[] {
  const judged = entry.requests.map((request) => {
    const decision = evaluatePolicy(loaded.policy, request);
    return { request, decision, stages: loggedStages(decision, request) };
  });
  const findings: Finding[] = [];
  const unlogged = judged.filter(({ stages }) => stages.length === 0);
  if (unlogged.length > 0) {
    const all = unlogged.length === judged.length;
    findings.push({
      id: 'request-unlogged',
      severity: all ? entry.severity : lower(entry.severity),
      title: `${entry.title}: ${all ? 'not logged' : 'partly not logged'}`,
      evidence: [
        `${unlogged.length} of ${judged.length} such requests leave no audit event`,
        ...unlogged.slice(0, MAX_EVIDENCE).map(({ request, decision }) => `${describeRequest(request)} → ${decidedBy(loaded, decision)}`),
      ],
      fix: insertFix(
        loaded,
        unlogged.map(({ decision }) => decision),
        unlogged.map(({ request }) => request),
        levelAtLeast(entry.wanted, 'Metadata') ? entry.wanted : 'Metadata',
      ),
      cis: CIS.policyCoversConcerns,
      location: locationOf(loaded, unlogged[0].decision),
      subject: entry.id,
    });
  }
  const receivedOnly = judged.filter(({ stages }) => stages.length > 0 && stages.every((stage) => stage === 'RequestReceived'));
  if (receivedOnly.length > 0) {
    findings.push({
      id: 'request-received-only',
      severity: 'medium',
      title: `${entry.title}: only the RequestReceived stage is logged`,
      evidence: [
        'events at RequestReceived carry no response code and no authorization decision: success and refusal look the same',
        ...receivedOnly.slice(0, MAX_EVIDENCE).map(({ request, decision }) => `${describeRequest(request)} → ${decidedBy(loaded, decision)}`),
      ],
      fix: 'Omit RequestReceived instead of ResponseComplete (omitStages: [RequestReceived]); ResponseComplete carries everything RequestReceived does plus the outcome.',
      cis: CIS.policyCoversConcerns,
      location: locationOf(loaded, receivedOnly[0].decision),
      subject: entry.id,
    });
  }
  const tooLow = judged.filter(
    ({ request, decision, stages }) => stages.length > 0 && BODY_VERBS.has(request.verb) && !levelAtLeast(decision.level, entry.wanted),
  );
  if (tooLow.length > 0) {
    findings.push({
      id: 'request-level-low',
      severity: 'low',
      title: `${entry.title}: logged without the request body`,
      evidence: [
        `at ${tooLow[0].decision.level} the record shows who and what, not the content (granted role, pod spec, webhook rules); ${entry.wanted} keeps it`,
        ...tooLow.slice(0, MAX_EVIDENCE).map(({ request, decision }) => `${describeRequest(request)} → ${decidedBy(loaded, decision)}`),
      ],
      fix: insertFix(
        loaded,
        tooLow.map(({ decision }) => decision),
        tooLow.map(({ request }) => request),
        entry.wanted,
      ),
      cis: CIS.policyCoversConcerns,
      location: locationOf(loaded, tooLow[0].decision),
      subject: entry.id,
    });
  }
  return findings;
}

interface SensitiveBody {
  id: string;
  subject: string;
  title: string;
  severity: Severity;
  requests: RequestShape[];
  /** The lowest level at which the sensitive content reaches the log. */
  leaksAt: (request: RequestShape) => AuditLevel;
  why: string;
  fix: string;
}

const person = userNamed('alice@example.com');
const apiserver = userNamed('system:apiserver');

const SENSITIVE_BODIES: readonly SensitiveBody[] = [
  {
    id: 'secret-data-logged',
    subject: 'secrets',
    title: 'Secret contents written to the audit log',
    severity: 'high',
    requests: ['get', 'list', 'watch', 'create', 'update', 'patch'].map((verb) => ({
      user: person,
      verb,
      resource: { group: '', resource: 'secrets', namespace: 'payments' },
    })),
    leaksAt: (request) => (['get', 'list', 'watch'].includes(request.verb) ? 'RequestResponse' : 'Request'),
    why: 'the request or response body of a Secret holds its data: anyone who can read the audit log (or its shipper, or Vigil) gets every credential',
    fix: 'Put a Metadata rule for secrets first: `- level: Metadata` with `resources: [{group: "", resources: ["secrets"]}]` before any rule at Request or RequestResponse.',
  },
  {
    id: 'token-logged',
    subject: 'serviceaccounts/token',
    title: 'Minted service-account tokens written to the audit log',
    severity: 'high',
    requests: [{ user: person, verb: 'create', resource: { group: '', resource: 'serviceaccounts', subresource: 'token', namespace: 'ci', name: 'deployer' } }],
    leaksAt: () => 'RequestResponse',
    why: 'the TokenRequest response holds the new bearer token',
    fix: 'Log serviceaccounts/token at Metadata (as GKE\'s default policy does).',
  },
  {
    id: 'token-logged',
    subject: 'tokenreviews',
    title: 'Bearer tokens under review written to the audit log',
    severity: 'high',
    requests: [{ user: apiserver, verb: 'create', resource: { group: 'authentication.k8s.io', resource: 'tokenreviews', namespace: '' } }],
    leaksAt: () => 'Request',
    why: "a TokenReview's spec.token is a caller's bearer token",
    fix: 'Log tokenreviews (group authentication.k8s.io) at Metadata.',
  },
  {
    id: 'configmap-bodies-logged',
    subject: 'configmaps',
    title: 'Config map contents written to the audit log',
    severity: 'info',
    requests: ['create', 'update', 'patch'].map((verb) => ({ user: person, verb, resource: { group: '', resource: 'configmaps', namespace: 'payments' } })),
    leaksAt: () => 'Request',
    why: 'CIS 3.2.2 advises Metadata for config maps since some hold credentials; Vigil\'s k8s-configmap-with-credentials rule needs the body to find exactly those',
    fix: 'Keep Request for config map writes if you use k8s-configmap-with-credentials and protect the audit log like a secret store; otherwise log config maps at Metadata.',
  },
];

function sensitiveBodyFindings(loaded: LoadedPolicy): Finding[] {
  const findings: Finding[] = [];
  for (const body of SENSITIVE_BODIES) {
    const leaking = body.requests
      .map((request) => ({ request, decision: evaluatePolicy(loaded.policy, request) }))
      .filter(({ request, decision }) => loggedStages(decision, request).length > 0 && levelAtLeast(decision.level, body.leaksAt(request)));
    if (leaking.length === 0) continue;
    findings.push({
      id: body.id,
      severity: body.severity,
      title: body.title,
      evidence: [body.why, ...leaking.slice(0, MAX_EVIDENCE).map(({ request, decision }) => `${describeRequest(request)} → ${decidedBy(loaded, decision)}`)],
      fix: body.fix,
      cis: CIS.policyCoversConcerns,
      location: locationOf(loaded, leaking[0].decision),
      subject: body.subject,
    });
  }
  return findings;
}

/**
 * One finding per enabled rule the policy leaves blind or partly blind. A blind rule's finding
 * has the rule's severity (at most high); a partly blind one a step lower.
 */
export function coverageFindings(loaded: LoadedPolicy, coverage: readonly CoverageEntry[]): Finding[] {
  const findings: Finding[] = [];
  for (const entry of coverage) {
    if (!entry.enabled || (entry.status !== 'blind' && entry.status !== 'partial')) continue;
    const capped: Severity = entry.severity === 'critical' ? 'high' : entry.severity;
    const firstRule = entry.gaps.find((gap) => gap.policyRule !== undefined)?.policyRule;
    findings.push({
      id: entry.status === 'blind' ? 'rule-blind' : 'rule-partial',
      severity: entry.status === 'blind' ? capped : lower(capped),
      title: `${entry.status === 'blind' ? 'Detection blind' : 'Detection partly blind'}: ${entry.title} (${entry.ruleId})`,
      evidence: [
        `needs ${entry.needs.level} at ${entry.needs.stages.join(' or ')}; ${entry.covered} of ${entry.checked} watched requests are logged as needed`,
        ...distinctTargets(entry.gaps).slice(0, 3).map((gap) => `${gap.request}: ${gap.reason}`),
      ],
      fix: gapFix(loaded, entry.gaps, entry.needs.level),
      cis: CIS.policyCoversConcerns,
      location: { file: loaded.file ?? 'audit policy', line: firstRule === undefined ? undefined : loaded.ruleLines[firstRule - 1] },
      subject: entry.ruleId,
    });
  }
  return findings;
}

/** Gaps on different resources and verbs first, so three lines of evidence show three different holes. */
function distinctTargets(gaps: readonly CoverageGap[]): CoverageGap[] {
  const seen = new Set<string>();
  const first: CoverageGap[] = [];
  const rest: CoverageGap[] = [];
  for (const gap of gaps) {
    const target = gap.shape.resource === undefined ? `${gap.shape.verb} ${gap.shape.path}` : `${gap.shape.verb} ${resourceLabel(gap.shape.resource)}`;
    if (seen.has(target)) rest.push(gap);
    else {
      seen.add(target);
      first.push(gap);
    }
  }
  return [...first, ...rest];
}

function gapFix(loaded: LoadedPolicy, gaps: readonly CoverageGap[], level: AuditLevel): string {
  if (gaps.length > 0 && gaps.every((gap) => gap.level !== 'None' && levelAtLeast(gap.level, gap.needs))) {
    return 'Stop omitting the stage the rule reads (ResponseComplete, or ResponseStarted for exec/attach/port-forward) in the policy\'s or the deciding rule\'s omitStages.';
  }
  const decisions = gaps.map((gap) => ({ ruleIndex: gap.policyRule === undefined ? undefined : gap.policyRule - 1 }));
  return insertFix(
    loaded,
    decisions,
    gaps.map((gap) => gap.shape),
    level,
  );
}

/** "Insert before rule #N:" and the rule, placed before the first rule that decided wrongly. */
function insertFix(loaded: LoadedPolicy, decisions: ReadonlyArray<Pick<PolicyDecision, 'ruleIndex'>>, requests: readonly RequestShape[], level: AuditLevel): string {
  const indexes = decisions.map((decision) => decision.ruleIndex).filter((index): index is number => index !== undefined);
  const before = indexes.length === 0 ? undefined : Math.min(...indexes);
  const where =
    before === undefined
      ? 'Add at the end of the policy rules (no rule matches these requests today):'
      : `Insert before policy rule #${before + 1}${loaded.ruleLines[before] ? ` (line ${loaded.ruleLines[before]})` : ''}:`;
  return `${where}\n${rulesToYaml(rulesLogging(requests, level)).trimEnd()}`;
}

function decidedBy(loaded: LoadedPolicy, decision: PolicyDecision): string {
  const stages = decision.level === 'None' ? '' : `, omitStages ${[...decision.omitStages].join(', ') || 'none'}`;
  if (decision.ruleIndex === undefined) return `level None (no policy rule matches)`;
  const line = loaded.ruleLines[decision.ruleIndex];
  return `level ${decision.level} by rule #${decision.ruleIndex + 1}${line ? ` (line ${line})` : ''}${stages}`;
}

function locationOf(loaded: LoadedPolicy, decision: PolicyDecision): FindingLocation {
  const line = decision.ruleIndex === undefined ? undefined : loaded.ruleLines[decision.ruleIndex];
  return { file: loaded.file ?? 'audit policy', line };
}

function lower(severity: Severity): Severity {
  return FINDING_SEVERITIES[Math.max(0, FINDING_SEVERITIES.indexOf(severity) - 1)];
}
