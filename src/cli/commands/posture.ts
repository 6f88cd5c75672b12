import { Option, type Command } from 'commander';
import { ApiserverConfigError } from '../../posture/apiserver-config.js';
import { assessPosture, PostureInputError, type PostureReport } from '../../posture/assess.js';
import type { CoverageEntry } from '../../posture/coverage.js';
import { atOrAbove, FINDING_SEVERITIES, primaryCisId, type Finding, type Severity } from '../../posture/findings.js';
import { toSarif } from '../../posture/sarif.js';
import { DataDirError } from '../../posture/source-arrival.js';
import { exitCodes, UsageError } from '../exit.js';
import { renderTable } from '../render.js';
import { loadRulesForCli, reportLoadNotes, rulesOption } from './detect.js';

interface PostureOptions {
  apiserver?: string;
  auditPolicy?: string;
  webhookConfig?: string;
  kubeconfig?: string;
  dataDir?: string;
  rules: string[];
  output: 'table' | 'json' | 'sarif';
  failOn: Severity;
}

export function register(program: Command): void {
  program
    .command('posture')
    .description("Assess whether a cluster's logging is adequate: apiserver audit flags, audit policy, webhook, collectors, arriving sources, and which rules could never fire")
    .option('--apiserver <file>', 'kube-apiserver static pod manifest or flags file')
    .option('--audit-policy <file>', 'audit Policy (audit.k8s.io/v1)')
    .option('--webhook-config <file>', 'audit webhook kubeconfig (--audit-webhook-config-file)')
    .option('--kubeconfig <file>', 'live checks: nodes, log-collector DaemonSets and the webhook receiver (read-only)')
    .option('--data-dir <dir>', 'a Vigil data dir: which sources actually arrive')
    .addOption(rulesOption())
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json', 'sarif']).default('table'))
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding at or above this severity exists').choices(FINDING_SEVERITIES).default('high'))
    .addHelpText(
      'after',
      '\nExamples:\n  vigil posture --apiserver /etc/kubernetes/manifests/kube-apiserver.yaml --audit-policy /etc/kubernetes/audit/audit-policy.yaml\n  vigil posture --audit-policy policy.yaml -o sarif > posture.sarif\n  vigil posture --kubeconfig ~/.kube/config --data-dir ./vigil-data --fail-on medium',
    )
    .action(async (options: PostureOptions) => {
      const report = await assess(options);
      process.stdout.write(formatReport(report, options));
      process.exitCode = report.findings.some((finding) => atOrAbove(finding.severity, options.failOn)) ? exitCodes.problems : exitCodes.ok;
    });
}

async function assess(options: PostureOptions): Promise<PostureReport> {
  const ruleSet = loadRulesForCli(options.rules);
  reportLoadNotes(ruleSet.notes);
  try {
    return await assessPosture({
      apiserver: options.apiserver,
      auditPolicy: options.auditPolicy,
      webhookConfig: options.webhookConfig,
      kubeconfig: options.kubeconfig,
      dataDir: options.dataDir,
      rules: ruleSet.rules,
    });
  } catch (error) {
    if (error instanceof PostureInputError || error instanceof ApiserverConfigError || error instanceof DataDirError) throw new UsageError(error.message);
    throw error;
  }
}

function formatReport(report: PostureReport, options: PostureOptions): string {
  if (options.output === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  if (options.output === 'sarif') return `${JSON.stringify(toSarif(report), null, 2)}\n`;
  return [findingsText(report.findings), coverageText(report), summaryText(report, options.failOn)].join('\n');
}

function findingsText(findings: readonly Finding[]): string {
  if (findings.length === 0) return 'No findings.\n';
  const blocks = findings.map((finding) => {
    const cis = primaryCisId(finding.cis);
    const where = finding.location === undefined ? '' : `\n  at ${finding.location.file}${finding.location.line === undefined ? '' : `:${finding.location.line}`}`;
    const evidence = finding.evidence.map((line) => `\n  - ${line}`).join('');
    const fix = finding.fix.split('\n').join('\n       ');
    return `${finding.severity.toUpperCase()} ${finding.id}${cis === undefined ? '' : ` [CIS ${cis}]`}: ${finding.title}${where}${evidence}\n  fix: ${fix}\n`;
  });
  return `FINDINGS\n\n${blocks.join('\n')}`;
}

function coverageText(report: PostureReport): string {
  if (report.coverage.length === 0) return `COVERAGE: ${report.coverageNote ?? 'no rules'}\n`;
  const table = renderTable({
    columns: ['rule', 'severity', 'status', 'needs', 'why'],
    rows: report.coverage.map((entry) => [entry.ruleId, entry.severity, statusText(entry), needsText(entry), whyText(entry)]),
  });
  return `COVERAGE (which rules the audit policy lets fire)${report.coverageNote === undefined ? '' : `: ${report.coverageNote}`}\n\n${table}`;
}

function statusText(entry: CoverageEntry): string {
  if (entry.status === 'partial') return `partial ${entry.covered}/${entry.checked}`;
  return entry.enabled ? entry.status : `${entry.status} (disabled)`;
}

function needsText(entry: CoverageEntry): string {
  if (entry.status === 'not-audit') return `source ${entry.sources.join(',')}`;
  return `${entry.needs.level} @ ${entry.needs.stages.join('|')}`;
}

function whyText(entry: CoverageEntry): string {
  if (entry.status === 'fires') return '';
  const gap = entry.gaps[0];
  if (gap !== undefined) return `${gap.request}: ${gap.reason}`;
  return entry.notes.join('; ');
}

function summaryText(report: PostureReport, failOn: Severity): string {
  const counts = FINDING_SEVERITIES.filter((severity) => report.summary.findings[severity] > 0)
    .reverse()
    .map((severity) => `${report.summary.findings[severity]} ${severity}`);
  const coverage = Object.entries(report.summary.coverage)
    .filter(([, count]) => count > 0)
    .map(([status, count]) => `${count} ${status}`);
  const failing = report.findings.filter((finding) => atOrAbove(finding.severity, failOn)).length;
  return [
    `\n${report.findings.length} finding(s)${counts.length > 0 ? ` (${counts.join(', ')})` : ''}`,
    coverage.length > 0 ? `; rules: ${coverage.join(', ')}` : '',
    failing > 0 ? `; ${failing} at or above ${failOn}: exit status 1` : `; none at or above ${failOn}`,
    '\n',
  ].join('');
}
