import type { CompiledRule } from '../detect/rule.js';
import { levelAtLeast, type AuditLevel } from './audit-levels.js';
import type { AuditPolicy, GroupResources } from './audit-policy.js';
import { evaluateCoverage, type CoverageEntry } from './coverage.js';
import { policyToYaml, type CommentedRule } from './policy-yaml.js';
import { deriveRequirements, type RuleRequirement } from './rule-requirements.js';

/**
 * `vigil policy generate`: an audit policy that lets every rule fire at the lowest level that
 * suffices. Secrets and tokens stay at Metadata whatever a rule asks; request bodies are logged
 * where rules read them (RBAC, pod specs); system components' high-volume reads are dropped,
 * each drop kept only if the coverage of the rule set does not get worse.
 */

export const POLICY_PROFILES = ['minimal', 'recommended', 'forensic'] as const;
export type PolicyProfile = (typeof POLICY_PROFILES)[number];

export interface GeneratedPolicy {
  profile: PolicyProfile;
  policy: AuditPolicy;
  yaml: string;
  coverage: CoverageEntry[];
  /** Why some requirement was not met on purpose (a rule wanting secret bodies). */
  withheld: string[];
}

const SENSITIVE: readonly GroupResources[] = [
  { group: '', resources: ['secrets', 'serviceaccounts/token'] },
  { group: 'authentication.k8s.io', resources: ['tokenreviews'] },
];

const SENSITIVE_RULE: CommentedRule = {
  comment: 'Secrets, minted tokens and token reviews: who and when, never the content (it would put credentials in the log).',
  rule: { level: 'Metadata', resources: SENSITIVE.map((group) => ({ ...group, resources: [...(group.resources ?? [])] })) },
};

const HEALTH_CHECKS: CommentedRule = {
  comment: 'Health and version probes: constant, anonymous by design, never evidence.',
  rule: { level: 'None', nonResourceURLs: ['/healthz*', '/livez*', '/readyz*', '/version'] },
};

const CONTROL_PLANE_USERS = ['system:kube-controller-manager', 'system:kube-scheduler', 'system:cloud-controller-manager'];

/** High-volume, low-value requests of system components; each is kept only if no rule loses coverage. */
const NOISE_CANDIDATES: readonly CommentedRule[] = [
  {
    comment: "kube-proxy's watches of services and endpoints.",
    rule: {
      level: 'None',
      users: ['system:kube-proxy'],
      verbs: ['get', 'list', 'watch'],
      resources: [
        { group: '', resources: ['endpoints', 'services', 'services/status', 'nodes'] },
        { group: 'discovery.k8s.io', resources: ['endpointslices'] },
      ],
    },
  },
  {
    comment: "Kubelets' reads of what they run (their secret reads stay logged by the rule above).",
    rule: {
      level: 'None',
      userGroups: ['system:nodes'],
      verbs: ['get', 'list', 'watch'],
      resources: [
        { group: '', resources: ['nodes', 'nodes/status', 'pods', 'services', 'endpoints', 'configmaps', 'persistentvolumes', 'persistentvolumeclaims'] },
        { group: 'storage.k8s.io', resources: ['csidrivers', 'csinodes', 'volumeattachments'] },
        { group: 'node.k8s.io', resources: ['runtimeclasses'] },
      ],
    },
  },
  {
    comment: "Kubelets' status updates and the events they record.",
    rule: {
      level: 'None',
      userGroups: ['system:nodes'],
      verbs: ['create', 'update', 'patch'],
      resources: [
        { group: '', resources: ['nodes/status', 'pods/status', 'events'] },
        { group: 'events.k8s.io', resources: ['events'] },
      ],
    },
  },
  {
    comment: "Controller-manager and scheduler informers' lists and watches.",
    rule: { level: 'None', users: CONTROL_PLANE_USERS, verbs: ['list', 'watch'] },
  },
  {
    comment: 'Leader-election renewals of the control plane.',
    rule: {
      level: 'None',
      users: CONTROL_PLANE_USERS,
      verbs: ['get', 'update'],
      namespaces: ['kube-system'],
      resources: [
        { group: 'coordination.k8s.io', resources: ['leases'] },
        { group: '', resources: ['endpoints', 'configmaps'] },
      ],
    },
  },
];

/** Writes worth their request body in an investigation even when no rule reads it. */
const FORENSIC_GROUPS: readonly GroupResources[] = [
  { group: '', resources: ['pods', 'pods/ephemeralcontainers', 'services', 'serviceaccounts', 'namespaces', 'nodes', 'persistentvolumes', 'replicationcontrollers', 'configmaps'] },
  { group: 'apps' },
  { group: 'batch' },
  { group: 'rbac.authorization.k8s.io' },
  { group: 'admissionregistration.k8s.io' },
  { group: 'certificates.k8s.io' },
  { group: 'networking.k8s.io' },
  { group: 'policy' },
  { group: 'apiextensions.k8s.io' },
];

const CATCH_ALL: CommentedRule = {
  comment: 'Everything else, reads and failed (401/403) requests included: who did what, when, from where.',
  rule: { level: 'Metadata' },
};

export function generatePolicy(profile: PolicyProfile, rules: readonly CompiledRule[]): GeneratedPolicy {
  const requirements = deriveRequirements(rules);
  const withheld = new Set<string>();
  const bodies = bodyRules(requirements, withheld);
  const extras = profileExtras(profile);
  const noise = profile === 'forensic' ? [] : keptNoise(requirements, bodies, extras);
  const parts = [SENSITIVE_RULE, HEALTH_CHECKS, ...noise, ...byLevelDescending([...bodies, ...extras]), CATCH_ALL];
  const policy = assemble(parts);
  const coverage = evaluateCoverage(policy, requirements);
  const header = [
    `Audit policy generated by \`vigil policy generate --profile ${profile}\` for ${rules.length} rules.`,
    'kube-apiserver: --audit-policy-file=<this file> --audit-log-path=/var/log/kubernetes/audit/audit.log',
    '  --audit-log-maxage=30 --audit-log-maxbackup=10 --audit-log-maxsize=100, and for Vigil',
    '  --audit-webhook-config-file=<kubeconfig> (batch mode, the default). First matching rule wins.',
  ].join('\n');
  return { profile, policy, yaml: policyToYaml(policy, { header, comments: parts.map((part) => part.comment) }), coverage, withheld: [...withheld] };
}

function assemble(parts: readonly CommentedRule[]): AuditPolicy {
  return { omitStages: ['RequestReceived'], omitManagedFields: true, rules: parts.map((part) => part.rule) };
}

function profileExtras(profile: PolicyProfile): CommentedRule[] {
  if (profile === 'minimal') return [];
  if (profile === 'recommended') {
    return [
      {
        comment: 'Writes to workloads, RBAC, admission, certificates and networking with their request body: what was granted, deployed or changed.',
        rule: { level: 'Request', verbs: ['create', 'update', 'patch'], resources: FORENSIC_GROUPS.map(copyGroup) },
      },
    ];
  }
  return [
    {
      comment: 'Every other write with request and response bodies: the full before/after record.',
      rule: { level: 'RequestResponse', verbs: ['create', 'update', 'patch', 'delete', 'deletecollection'] },
    },
  ];
}

/** RequestResponse rules before Request ones, so a broader Request rule never shadows a body a rule needs in full. */
function byLevelDescending(rules: readonly CommentedRule[]): CommentedRule[] {
  const rank = (part: CommentedRule): number => (part.rule.level === 'RequestResponse' ? 0 : 1);
  return [...rules].sort((a, b) => rank(a) - rank(b));
}

function copyGroup(group: GroupResources): GroupResources {
  return group.resources === undefined ? { group: group.group } : { group: group.group, resources: [...group.resources] };
}

/** The request bodies rules read, one policy rule per level and set of verbs. */
function bodyRules(requirements: readonly RuleRequirement[], withheld: Set<string>): CommentedRule[] {
  const needs = new Map<string, { level: AuditLevel; group: string; resource: string; verbs: Set<string>; rules: Set<string> }>();
  for (const requirement of requirements) {
    for (const part of requirement.parts) {
      for (const required of part.requests) {
        const target = required.request.resource;
        if (!levelAtLeast(required.level, 'Request') || target === undefined) continue;
        const resource = target.subresource === undefined ? target.resource : `${target.resource}/${target.subresource}`;
        if (isSensitive(target.group, resource)) {
          withheld.add(`${requirement.rule.meta.id} reads ${required.bodyFields.join(', ')} of ${resource}: kept at Metadata, the body holds credentials`);
          continue;
        }
        const key = `${required.level}\u0000${target.group}\u0000${resource}`;
        const need = needs.get(key) ?? { level: required.level, group: target.group, resource, verbs: new Set(), rules: new Set() };
        need.verbs.add(required.request.verb);
        need.rules.add(requirement.rule.meta.id);
        needs.set(key, need);
      }
    }
  }
  const byLevelAndVerbs = new Map<string, { level: AuditLevel; verbs: string[]; groups: Map<string, string[]>; rules: Set<string> }>();
  for (const need of needs.values()) {
    const verbs = [...need.verbs].sort();
    const key = `${need.level}\u0000${verbs.join(',')}`;
    const entry = byLevelAndVerbs.get(key) ?? { level: need.level, verbs, groups: new Map(), rules: new Set() };
    entry.groups.set(need.group, [...(entry.groups.get(need.group) ?? []), need.resource]);
    for (const rule of need.rules) entry.rules.add(rule);
    byLevelAndVerbs.set(key, entry);
  }
  return [...byLevelAndVerbs.values()]
    .sort((a, b) => a.verbs.join().localeCompare(b.verbs.join()))
    .map((entry) => ({
      comment: `Request bodies read by ${[...entry.rules].sort().join(', ')}.`,
      rule: {
        level: entry.level,
        verbs: entry.verbs,
        resources: [...entry.groups].sort(([a], [b]) => a.localeCompare(b)).map(([group, resources]) => ({ group, resources: [...new Set(resources)].sort() })),
      },
    }));
}

function isSensitive(group: string, resource: string): boolean {
  return SENSITIVE.some((entry) => entry.group === group && (entry.resources ?? []).includes(resource));
}

/**
 * Greedily keeps the noise drops that cost no rule any coverage: a rule that watches every
 * request of its kind must keep all of them; an absence rule only its status.
 */
function keptNoise(requirements: readonly RuleRequirement[], bodies: readonly CommentedRule[], extras: readonly CommentedRule[]): CommentedRule[] {
  const kept: CommentedRule[] = [];
  const coverageWith = (noise: readonly CommentedRule[]): CoverageEntry[] =>
    evaluateCoverage(assemble([SENSITIVE_RULE, HEALTH_CHECKS, ...noise, ...byLevelDescending([...bodies, ...extras]), CATCH_ALL]), requirements);
  const baseline = coverageWith(kept);
  for (const candidate of NOISE_CANDIDATES) {
    const trial = coverageWith([...kept, candidate]);
    const noWorse = trial.every((entry, i) =>
      requirements[i].mode === 'any' ? entry.status === baseline[i].status : entry.covered >= baseline[i].covered,
    );
    if (noWorse) kept.push(candidate);
  }
  return kept;
}

/** The rule set's coverage under a profile's policy, for `vigil policy generate`'s report. */
export function describeGeneratedCoverage(generated: GeneratedPolicy): string {
  const audit = generated.coverage.filter((entry) => entry.status !== 'not-audit');
  const firing = audit.filter((entry) => entry.status === 'fires');
  const lines = [`profile ${generated.profile}: ${firing.length} of ${audit.length} rules that read audit events can fire`];
  for (const entry of audit.filter((item) => item.status !== 'fires')) lines.push(`  ${entry.status}: ${entry.ruleId}: ${entry.gaps[0]?.reason ?? entry.notes.join('; ')}`);
  for (const note of generated.withheld) lines.push(`  withheld: ${note}`);
  return `${lines.join('\n')}\n`;
}

