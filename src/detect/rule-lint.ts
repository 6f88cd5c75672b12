import type { LoadNote } from './formats/rule-format.js';
import { filesOfLocations, inspectRuleFiles, RuleLoadError } from './loader.js';

/** One thing `vigil rules lint` reports. `problem`: the set does not load; `cannot-match`: a rule can never fire. */
export interface LintFinding {
  kind: 'problem' | LoadNote['kind'];
  origin: string;
  rule?: string;
  message: string;
}

export interface LintReport {
  rules: number;
  findings: LintFinding[];
  /** Problems and rules that cannot match: what makes lint exit 1. */
  failures: number;
}

/**
 * Loads rule files of any format as `vigil detect` would and reports what would stop them from
 * loading and which rules can never match an event, with the reason.
 */
export function lintRuleLocations(locations: readonly string[]): LintReport {
  let report;
  try {
    report = inspectRuleFiles(filesOfLocations(locations));
  } catch (error) {
    if (!(error instanceof RuleLoadError)) throw error;
    const findings = error.problems.map((message) => ({ kind: 'problem' as const, origin: message.split(':')[0], message }));
    return { rules: 0, findings, failures: findings.length };
  }
  const findings: LintFinding[] = [
    ...report.problems.map((message) => ({ kind: 'problem' as const, origin: message.split(':')[0], message })),
    ...report.notes.map((note) => ({ ...note })),
  ];
  return { rules: report.rules.length, findings, failures: findings.filter((finding) => finding.kind === 'problem' || finding.kind === 'cannot-match').length };
}

export function describeFinding(finding: LintFinding): string {
  if (finding.kind === 'problem') return `problem: ${finding.message}`;
  return `${finding.kind}: ${finding.origin}${finding.rule === undefined ? '' : `: rule ${finding.rule}`}: ${finding.message}`;
}
