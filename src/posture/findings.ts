/** What `vigil posture` reports: one finding per problem, with the evidence and the fix. */

export const FINDING_SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof FINDING_SEVERITIES)[number];

/** CIS Kubernetes Benchmark check ids by benchmark version (they shift between versions). */
export type CisIds = Readonly<Record<string, string>>;

export interface FindingLocation {
  file: string;
  /** 1-based; absent when the finding is about the file as a whole. */
  line?: number;
}

export interface Finding {
  /** Stable kebab-case id of the kind of problem, e.g. `audit-log-maxage`. */
  id: string;
  severity: Severity;
  title: string;
  /** What was read that shows the problem, one fact a line. */
  evidence: string[];
  /** What to change, concretely (flag, policy rule, command). */
  fix: string;
  cis?: CisIds;
  location?: FindingLocation;
  /** What the finding is about when one id repeats (a rule id, a catalog entry, a node). */
  subject?: string;
}

export function severityRank(severity: Severity): number {
  return FINDING_SEVERITIES.indexOf(severity);
}

export function atOrAbove(severity: Severity, threshold: Severity): boolean {
  return severityRank(severity) >= severityRank(threshold);
}

/** Highest severity first, then id and subject, so output is stable. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) => severityRank(b.severity) - severityRank(a.severity) || a.id.localeCompare(b.id) || (a.subject ?? '').localeCompare(b.subject ?? ''),
  );
}

/**
 * CIS ids of the logging checks, read from kube-bench's cfg/<benchmark>/master.yaml and
 * controlplane.yaml (see shared/reference/formats-and-integrity.md B.3). cis-1.10, 1.11 and
 * 1.12 share ids.
 */
const BENCHMARKS_1_10_TO_1_12 = ['cis-1.12', 'cis-1.11', 'cis-1.10'] as const;

function cis(current: string, older: { 'cis-1.8'?: string; 'cis-1.24'?: string; 'cis-1.6'?: string } = {}): CisIds {
  const ids: Record<string, string> = {};
  for (const benchmark of BENCHMARKS_1_10_TO_1_12) ids[benchmark] = current;
  return { ...ids, ...older };
}

export const CIS = {
  auditLogPath: cis('1.2.16', { 'cis-1.8': '1.2.17', 'cis-1.24': '1.2.18', 'cis-1.6': '1.2.22' }),
  auditLogMaxAge: cis('1.2.17', { 'cis-1.8': '1.2.18', 'cis-1.24': '1.2.19', 'cis-1.6': '1.2.23' }),
  auditLogMaxBackup: cis('1.2.18', { 'cis-1.8': '1.2.19', 'cis-1.24': '1.2.20', 'cis-1.6': '1.2.24' }),
  auditLogMaxSize: cis('1.2.19', { 'cis-1.8': '1.2.20', 'cis-1.24': '1.2.21', 'cis-1.6': '1.2.25' }),
  minimalPolicy: cis('3.2.1', { 'cis-1.8': '3.2.1', 'cis-1.24': '3.2.1', 'cis-1.6': '3.2.1' }),
  policyCoversConcerns: cis('3.2.2', { 'cis-1.8': '3.2.2', 'cis-1.24': '3.2.2', 'cis-1.6': '3.2.2' }),
  /** Only checked in kube-bench cfg/cis-1.10/master.yaml; other versions not verified. */
  profiling: { 'cis-1.10': '1.2.15' } as CisIds,
} as const;

/** The id to show in a table column: the newest benchmark's. */
export function primaryCisId(ids: CisIds | undefined): string | undefined {
  if (ids === undefined) return undefined;
  return ids['cis-1.12'] ?? ids['cis-1.10'] ?? Object.values(ids)[0];
}

/** Every finding id `vigil posture` reports, with what it means in one line (SARIF rule descriptions, docs). */
export const FINDING_KINDS: Readonly<Record<string, string>> = {
  'audit-policy-unset': 'kube-apiserver runs without --audit-policy-file: no audit events at all',
  'audit-backend-unset': 'neither --audit-log-path nor --audit-webhook-config-file: audit events go nowhere',
  'audit-log-path-unset': 'audit events only go to the webhook, with no local log file',
  'audit-log-to-stdout': 'the audit log goes to stdout, out of reach of the rotation flags',
  'audit-log-maxage': '--audit-log-maxage unset or below 30 days (CIS)',
  'audit-log-maxbackup': '--audit-log-maxbackup unset or below 10 files (CIS)',
  'audit-log-maxsize': '--audit-log-maxsize unset or below 100 MB (CIS)',
  'audit-log-format-legacy': 'audit log in the legacy text format',
  'audit-webhook-blocking': 'audit webhook in blocking or blocking-strict mode',
  'audit-webhook-batch-unsafe': 'audit webhook batching set up to drop or burst events',
  'audit-file-not-mounted': 'an audit file or the log directory is not mounted into the kube-apiserver static pod',
  'event-ttl-short': 'Kubernetes Events expire within an hour and nothing keeps them',
  'profiling-enabled': 'kube-apiserver profiling endpoints enabled',
  'audit-policy-invalid': 'kube-apiserver would refuse the audit policy',
  'request-unlogged': 'a security-relevant kind of request leaves no audit event',
  'request-received-only': 'a security-relevant kind of request is logged only at RequestReceived, without its outcome',
  'request-level-low': 'a write is logged without the request body that shows what it changed',
  'secret-data-logged': 'Secret contents are written to the audit log',
  'token-logged': 'bearer tokens are written to the audit log',
  'configmap-bodies-logged': 'config map contents are written to the audit log',
  'rule-blind': 'a detection rule can never fire under this audit policy',
  'rule-partial': 'a detection rule misses some of the requests it watches under this audit policy',
  'webhook-config-invalid': 'the audit webhook kubeconfig is unusable',
  'webhook-config-unchecked': 'the audit webhook kubeconfig was not given, so it was not checked',
  'webhook-plaintext': 'audit events are sent over plain HTTP',
  'webhook-tls-unverified': "the audit receiver's certificate is not verified",
  'webhook-no-client-auth': 'kube-apiserver does not authenticate to the audit receiver',
  'webhook-placeholder': 'the audit webhook kubeconfig still holds a placeholder',
  'receiver-unreachable': 'the audit receiver does not answer',
  'cluster-unreachable': 'the cluster API could not be read',
  'collector-absent': 'no log collector DaemonSet runs in the cluster',
  'collector-missing-on-nodes': 'a log collector does not run on some nodes',
  'collector-not-ready': 'a log collector pod is not ready on some nodes',
  'source-silent': 'a log source stopped arriving in the data dir',
  'source-never-seen': 'an expected log source never arrived in the data dir',
};
