import type { CompiledRule } from '../detect/rule.js';
import { loadApiserverConfig, type ApiserverConfig } from './apiserver-config.js';
import { loadAuditPolicy, PolicyError, type LoadedPolicy } from './audit-policy.js';
import { clusterFindings, readCluster, type ClusterSnapshot } from './cluster-checks.js';
import { evaluateCoverage, type CoverageEntry, type CoverageStatus } from './coverage.js';
import { CIS, FINDING_SEVERITIES, sortFindings, type Finding, type Severity } from './findings.js';
import { checkApiserverFlags } from './flag-checks.js';
import { checkAuditPolicy, coverageFindings } from './policy-checks.js';
import { probeReceiver, receiverFindings } from './receiver-probe.js';
import { deriveRequirements } from './rule-requirements.js';
import { readSourceArrivals, silenceLimits, sourceFindings, type SourceArrival } from './source-arrival.js';
import { checkWebhookConfig, loadWebhookConfig } from './webhook-checks.js';

/** `vigil posture`: is this cluster's logging adequate, and which rules could never fire? */

export interface PostureInputs {
  /** kube-apiserver static pod manifest or flags file. */
  apiserver?: string;
  auditPolicy?: string;
  webhookConfig?: string;
  /** Switches on the live checks: cluster nodes and collectors, and the receiver's reachability. */
  kubeconfig?: string;
  dataDir?: string;
  rules: readonly CompiledRule[];
  /** Clock for the data-dir silence check. */
  now?: number;
}

export interface PostureReport {
  inputs: Omit<PostureInputs, 'rules' | 'now'> & { rules: number };
  findings: Finding[];
  /** The coverage matrix; empty when no policy could be judged (see `coverageNote`). */
  coverage: CoverageEntry[];
  coverageNote?: string;
  summary: { findings: Record<Severity, number>; coverage: Record<CoverageStatus, number> };
  sources?: SourceArrival[];
  cluster?: { server: string; nodes: number; collectors: Array<{ name: string; desired: number; ready: number }> };
}

export class PostureInputError extends Error {}

export async function assessPosture(inputs: PostureInputs): Promise<PostureReport> {
  const { apiserver, auditPolicy, webhookConfig, kubeconfig, dataDir } = inputs;
  if ([apiserver, auditPolicy, webhookConfig, kubeconfig, dataDir].every((input) => input === undefined)) {
    throw new PostureInputError('nothing to assess: give at least one of --apiserver, --audit-policy, --webhook-config, --kubeconfig, --data-dir');
  }
  const findings: Finding[] = [];
  const report: PostureReport = {
    inputs: { apiserver, auditPolicy, webhookConfig, kubeconfig, dataDir, rules: inputs.rules.length },
    findings,
    coverage: [],
    summary: { findings: emptyCounts(FINDING_SEVERITIES), coverage: emptyCounts(['fires', 'partial', 'blind', 'unknown', 'not-audit'] as const) },
  };

  let eventsSource: boolean | undefined;
  if (dataDir !== undefined) {
    const arrivals = readSourceArrivals(dataDir);
    report.sources = arrivals;
    eventsSource = arrivals.some((arrival) => arrival.source === 'k8s.event');
    findings.push(...sourceFindings(arrivals, silenceLimits(inputs.rules), inputs.now ?? Date.now(), dataDir));
  }

  const flags = apiserver === undefined ? undefined : loadApiserverConfig(apiserver);
  if (flags !== undefined) findings.push(...checkApiserverFlags(flags, { eventsSource }));

  const policy = auditPolicy === undefined ? undefined : loadPolicyOrFinding(auditPolicy, findings);
  judgeCoverage(report, inputs.rules, flags, policy, auditPolicy);

  if (webhookConfig !== undefined) findings.push(...checkWebhookConfig(loadWebhookConfig(webhookConfig)));
  else if (flags?.flags.has('audit-webhook-config-file')) findings.push(webhookUnchecked(flags));

  if (kubeconfig !== undefined) await liveChecks(report, kubeconfig, webhookConfig);

  report.findings = sortFindings(findings);
  for (const finding of report.findings) report.summary.findings[finding.severity]++;
  for (const entry of report.coverage) report.summary.coverage[entry.status]++;
  return report;
}

function loadPolicyOrFinding(path: string, findings: Finding[]): LoadedPolicy | undefined {
  try {
    return loadAuditPolicy(path);
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    findings.push({
      id: 'audit-policy-invalid',
      severity: 'critical',
      title: 'The audit policy is invalid: kube-apiserver would not start with it',
      evidence: error.problems,
      fix: 'Correct the keys listed (see https://kubernetes.io/docs/reference/config-api/apiserver-audit.v1/), or start from `vigil policy generate`.',
      cis: CIS.minimalPolicy,
      location: { file: path },
    });
    return undefined;
  }
}

function judgeCoverage(report: PostureReport, rules: readonly CompiledRule[], flags: ApiserverConfig | undefined, policy: LoadedPolicy | undefined, policyPath: string | undefined): void {
  const off = flags === undefined ? undefined : auditOff(flags);
  const requirements = deriveRequirements(rules);
  if (off !== undefined) {
    report.coverage = evaluateCoverage(undefined, requirements, off.short);
    const unused = policyPath === undefined ? '' : ` (the policy given with --audit-policy is not in use)`;
    report.coverageNote = `every rule that reads audit events is blind: ${off.long}${unused}`;
    return;
  }
  if (policy === undefined) {
    report.coverageNote =
      policyPath === undefined ? 'pass --audit-policy FILE to see which rules the policy lets fire' : 'the audit policy is invalid, so no rule can be judged';
    return;
  }
  report.coverage = evaluateCoverage(policy.policy, requirements);
  report.findings.push(...checkAuditPolicy(policy), ...coverageFindings(policy, report.coverage));
}

function auditOff(flags: ApiserverConfig): { short: string; long: string } | undefined {
  if (!flags.flags.has('audit-policy-file')) {
    return { short: 'audit logging is off (no --audit-policy-file)', long: `${flags.file} has no --audit-policy-file: kube-apiserver writes no audit events` };
  }
  if (!flags.flags.has('audit-log-path') && !flags.flags.has('audit-webhook-config-file')) {
    return { short: 'audit events go nowhere (no log or webhook backend)', long: `${flags.file} has neither --audit-log-path nor --audit-webhook-config-file: audit events go nowhere` };
  }
  return undefined;
}

function webhookUnchecked(flags: ApiserverConfig): Finding {
  return {
    id: 'webhook-config-unchecked',
    severity: 'info',
    title: 'Audit webhook kubeconfig not checked',
    evidence: [`--audit-webhook-config-file=${flags.flags.get('audit-webhook-config-file')} is set; pass that file as --webhook-config to check its URL, TLS and credentials`],
    fix: 'Run vigil posture again with --webhook-config FILE.',
    location: { file: flags.file },
  };
}

async function liveChecks(report: PostureReport, kubeconfig: string, webhookConfig: string | undefined): Promise<void> {
  let snapshot: ClusterSnapshot | undefined;
  try {
    snapshot = await readCluster(kubeconfig);
  } catch (error) {
    report.findings.push({
      id: 'cluster-unreachable',
      severity: 'high',
      title: 'Cannot read the cluster',
      evidence: [`${kubeconfig}: ${(error as Error).message.split('\n')[0]}`],
      fix: 'Check the kubeconfig (server, credentials) and that it may list nodes, daemonsets and pods (read-only RBAC).',
      location: { file: kubeconfig },
    });
  }
  if (snapshot !== undefined) {
    report.findings.push(...clusterFindings(snapshot, kubeconfig));
    report.cluster = {
      server: snapshot.server,
      nodes: snapshot.nodes.length,
      collectors: snapshot.collectors.map((collector) => ({ name: `${collector.namespace}/${collector.name}`, desired: collector.desired, ready: collector.ready })),
    };
  }
  const server = webhookConfig === undefined ? undefined : loadWebhookConfig(webhookConfig).server;
  if (server !== undefined && webhookConfig !== undefined) report.findings.push(...receiverFindings(await probeReceiver(server), webhookConfig));
}

function emptyCounts<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
}
