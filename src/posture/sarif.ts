import type { PostureReport } from './assess.js';
import { FINDING_KINDS, primaryCisId, type Finding, type Severity } from './findings.js';

/**
 * The posture findings as SARIF 2.1.0, so a repository holding audit policies and manifests
 * shows them in code scanning. One reporting rule per finding id; `security-severity` is the
 * numeric score GitHub uses to rank security results.
 */

const SARIF_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '1.0' };

export function toSarif(report: PostureReport): Record<string, unknown> {
  const rules = new Map<string, Record<string, unknown>>();
  for (const finding of report.findings) {
    const known = rules.get(finding.id);
    if (known === undefined || higher(finding.severity, (known.properties as { severity: Severity }).severity)) rules.set(finding.id, ruleOf(finding));
  }
  const ruleIds = [...rules.keys()];
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'vigil posture',
            rules: [...rules.values()],
          },
        },
        results: report.findings.map((finding) => resultOf(finding, ruleIds.indexOf(finding.id))),
      },
    ],
  };
}

function higher(a: Severity, b: Severity): boolean {
  return Number(SECURITY_SEVERITY[a]) > Number(SECURITY_SEVERITY[b]);
}

function ruleOf(finding: Finding): Record<string, unknown> {
  const cis = primaryCisId(finding.cis);
  return {
    id: finding.id,
    name: finding.id.replace(/(^|-)(\w)/g, (_, __, letter: string) => letter.toUpperCase()),
    shortDescription: { text: FINDING_KINDS[finding.id] ?? finding.title },
    help: { text: 'Each result says what was found and the fix.' },
    defaultConfiguration: { level: SARIF_LEVEL[finding.severity] },
    properties: {
      severity: finding.severity,
      'security-severity': SECURITY_SEVERITY[finding.severity],
      tags: ['security', 'logging', 'kubernetes', ...(cis === undefined ? [] : [`CIS-${cis}`])],
    },
  };
}

function resultOf(finding: Finding, ruleIndex: number): Record<string, unknown> {
  const message = [finding.title, ...finding.evidence.map((line) => `- ${line}`), `Fix: ${finding.fix}`].join('\n');
  const result: Record<string, unknown> = {
    ruleId: finding.id,
    ruleIndex,
    level: SARIF_LEVEL[finding.severity],
    message: { text: message },
    partialFingerprints: { vigilFinding: `${finding.id}/${finding.subject ?? finding.title}` },
    properties: { severity: finding.severity, ...(finding.cis === undefined ? {} : { cis: finding.cis }) },
  };
  if (finding.location !== undefined) {
    result.locations = [
      {
        physicalLocation: {
          artifactLocation: { uri: finding.location.file.replaceAll('\\', '/') },
          ...(finding.location.line === undefined ? {} : { region: { startLine: finding.location.line } }),
        },
      },
    ];
  }
  return result;
}
