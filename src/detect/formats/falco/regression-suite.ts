import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { inputFromPath } from '../../../sources/input.js';
import { readEvents } from '../../../sources/read.js';
import { Detector } from '../../detector.js';
import type { LoadNote } from '../rule-format.js';
import { loadRuleSets } from '../../loader.js';
import { canonicalPriority } from './priority.js';

/**
 * Falco's Kubernetes audit regression suite (`falco_k8s_audit_tests.yaml`, see
 * ../shared/fixtures/falco/README.md) run through Vigil: each case loads its rule files, replays
 * its trace file and compares what fired with the case's expectations, as Falco's own test
 * harness does: `detect` (any detection at all), `detect_level` (a detection at that priority),
 * `detect_counts` (the number of matching events per rule, i.e. the sum of alert `count`s).
 */

export interface FalcoSuiteCase {
  name: string;
  detect: boolean;
  detectLevels: string[];
  /** Rule files to load, in order, as paths inside the suite directory. */
  ruleFiles: string[];
  /** Named rule files the copy does not hold (the syscall-only falco_rules.yaml), left out. */
  omittedRuleFiles: string[];
  traceFile: string;
  detectCounts: Record<string, number>;
  /** Falco's stderr must say this; Vigil's counterpart is a record refused as not an audit event. */
  stderrContains?: string;
}

/** What one run of `vigil detect` showed. */
export interface CaseObservation {
  alerts: Array<{ rule: string; priority?: string; count: number }>;
  /** Records refused as not readable audit events. */
  skippedRecords: number;
  /** Set when the run failed (rules refused, crash); the case then fails with this reason. */
  error?: string;
}

export interface CaseOutcome {
  name: string;
  passed: boolean;
  reasons: string[];
}

export type CaseRunner = (testCase: FalcoSuiteCase) => Promise<CaseObservation>;

const SYSCALL_RULES = /falcosecurity-rules-falco.*\/falco_rules\.yaml$/;
const K8S_AUDIT_RULES = 'BUILD_DIR/k8saudit-rules-prefix/src/k8saudit-rules/k8s_audit_rules.yaml';

/** Reads the suite's cases; paths are mapped onto the copy in `suiteDir` (README.md there). */
export function readFalcoSuite(suiteDir: string): FalcoSuiteCase[] {
  const text = readFileSync(join(suiteDir, 'falco_k8s_audit_tests.yaml'), 'utf8').replace(/!mux\b/g, '');
  const document = parseYaml(text) as { trace_files?: Record<string, Record<string, unknown>> };
  return Object.entries(document.trace_files ?? {}).map(([name, raw]) => readCase(name, raw, suiteDir));
}

function readCase(name: string, raw: Record<string, unknown>, suiteDir: string): FalcoSuiteCase {
  const ruleFiles: string[] = [];
  const omittedRuleFiles: string[] = [];
  for (const file of (raw.rules_file as string[] | undefined) ?? []) {
    if (SYSCALL_RULES.test(file)) omittedRuleFiles.push(file);
    else if (file === K8S_AUDIT_RULES) ruleFiles.push(join(suiteDir, 'k8saudit-rules-2023', 'k8s_audit_rules.yaml'));
    else if (file.startsWith('./')) ruleFiles.push(join(suiteDir, file.slice(2)));
    else throw new Error(`case ${name}: rule file ${file} has no counterpart in ${suiteDir}`);
  }
  const trace = /open_params=(\S+)/.exec(String(raw.addl_cmdline_opts ?? ''))?.[1];
  if (trace === undefined) throw new Error(`case ${name}: no trace file in addl_cmdline_opts`);
  const levels = raw.detect_level === undefined ? [] : Array.isArray(raw.detect_level) ? raw.detect_level.map(String) : [String(raw.detect_level)];
  const detectCounts: Record<string, number> = {};
  for (const entry of (raw.detect_counts as Array<Record<string, number>> | undefined) ?? []) Object.assign(detectCounts, entry);
  return {
    name,
    detect: raw.detect === true,
    detectLevels: levels,
    ruleFiles,
    omittedRuleFiles,
    traceFile: join(suiteDir, trace),
    detectCounts,
    stderrContains: typeof raw.stderr_contains === 'string' ? raw.stderr_contains : undefined,
  };
}

/** Compares a run with the case's expectations; every unmet one is a reason. */
export function judgeCase(testCase: FalcoSuiteCase, observation: CaseObservation): CaseOutcome {
  if (observation.error !== undefined) return { name: testCase.name, passed: false, reasons: [observation.error] };
  const reasons: string[] = [];
  const byRule = new Map<string, number>();
  for (const alert of observation.alerts) byRule.set(alert.rule, (byRule.get(alert.rule) ?? 0) + alert.count);
  const total = [...byRule.values()].reduce((sum, count) => sum + count, 0);
  const fired = [...byRule].map(([rule, count]) => `"${rule}" ×${count}`).join(', ');
  if (testCase.detect && total === 0) reasons.push('expected detections, got none');
  if (!testCase.detect && total > 0) reasons.push(`expected no detections, got ${total}: ${fired}`);
  // As Falco's harness: levels are checked only for cases that expect detections.
  for (const level of testCase.detect ? testCase.detectLevels : []) {
    const wanted = canonicalPriority(level);
    if (!observation.alerts.some((alert) => alert.priority !== undefined && canonicalPriority(alert.priority) === wanted)) {
      reasons.push(`expected a detection at priority ${level}, got ${fired || 'none'}`);
    }
  }
  for (const [rule, expected] of Object.entries(testCase.detectCounts)) {
    const got = byRule.get(rule) ?? 0;
    if (got !== expected) reasons.push(`rule "${rule}": expected ${expected} detection(s), got ${got}`);
  }
  if (testCase.stderrContains !== undefined && observation.skippedRecords === 0) {
    reasons.push(`expected the input to be refused ("${testCase.stderrContains}"), but every record was read`);
  }
  return { name: testCase.name, passed: reasons.length === 0, reasons };
}

/** Runs a case in this process with the same loader, reader and detector `vigil detect` uses. */
export const runInProcess: CaseRunner = async (testCase) => {
  let detector: Detector;
  try {
    detector = new Detector(loadRuleSets(testCase.ruleFiles).rules);
  } catch (error) {
    return { alerts: [], skippedRecords: 0, error: `rules refused: ${(error as Error).message}` };
  }
  let skippedRecords = 0;
  for await (const batch of readEvents([inputFromPath(testCase.traceFile)], { cluster: 'falco-suite' })) {
    skippedRecords += batch.quarantined.length;
    for (const event of batch.events) detector.process(event);
  }
  const alerts = detector.finish().map((alert) => ({ rule: alert.rule.id, priority: alert.rule.nativeSeverity, count: alert.count }));
  return { alerts, skippedRecords };
};

/** Runs a case through the `vigil` command: `vigil detect -o ndjson --rules F1 --rules F2 … TRACE`. */
export function cliRunner(vigilBin: string): CaseRunner {
  return (testCase) =>
    new Promise((resolve) => {
      const args = [vigilBin, 'detect', '-o', 'ndjson', ...testCase.ruleFiles.flatMap((file) => ['--rules', file]), testCase.traceFile];
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('close', (code) => {
        // Exit status 1 also means "alerts found"; only the closing summary line says the run finished.
        if ((code !== 0 && code !== 1) || !/^\d+ events, \d+ alert\(s\)/m.test(stderr)) {
          resolve({ alerts: [], skippedRecords: 0, error: `vigil detect failed (exit status ${code}): ${stderr.trim().split('\n').slice(0, 4).join(' | ')}` });
          return;
        }
        const alerts = stdout
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => JSON.parse(line) as { rule: { id: string; nativeSeverity?: string }; count: number })
          .map((alert) => ({ rule: alert.rule.id, priority: alert.rule.nativeSeverity, count: alert.count }));
        resolve({ alerts, skippedRecords: Number(/(\d+) record\(s\) skipped/.exec(stderr)?.[1] ?? 0) });
      });
    });
}

/** Runs every case, a few at a time, and reports the outcomes in suite order. */
export async function runFalcoSuite(cases: readonly FalcoSuiteCase[], runner: CaseRunner, concurrency = 1): Promise<CaseOutcome[]> {
  const outcomes: CaseOutcome[] = new Array(cases.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < cases.length) {
      const index = next++;
      outcomes[index] = judgeCase(cases[index], await runner(cases[index]));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return outcomes;
}

/** The closing line of a run: exactly `N passed, M failed`. */
export function summaryLine(outcomes: readonly CaseOutcome[]): string {
  const passed = outcomes.filter((outcome) => outcome.passed).length;
  return `${passed} passed, ${outcomes.length - passed} failed`;
}

export function describeOutcome(outcome: CaseOutcome): string {
  return outcome.passed ? `PASS ${outcome.name}` : `FAIL ${outcome.name}: ${outcome.reasons.join('; ')}`;
}

/** The suite copy beside the checkout (../shared/fixtures/falco), if there is one. */
export function defaultSuiteDir(repoRoot: string): string | undefined {
  const dir = join(repoRoot, '..', 'shared', 'fixtures', 'falco');
  return existsSync(join(dir, 'falco_k8s_audit_tests.yaml')) ? dir : undefined;
}

export interface TraceSweep {
  rules: number;
  notes: LoadNote[];
  traces: number;
  events: number;
  skippedRecords: number;
  /** Matching events per rule name over all traces. */
  detections: Map<string, number>;
}

/** Loads one rule set (throws `RuleLoadError` when it does not load cleanly) and runs it over every trace file of a directory. */
export async function sweepTraces(ruleFiles: readonly string[], tracesDir: string): Promise<TraceSweep> {
  const { rules, notes } = loadRuleSets(ruleFiles);
  const traces = readdirSync(tracesDir).filter((name) => name.endsWith('.json')).sort();
  const sweep: TraceSweep = { rules: rules.length, notes, traces: traces.length, events: 0, skippedRecords: 0, detections: new Map() };
  for (const trace of traces) {
    const detector = new Detector(rules);
    for await (const batch of readEvents([inputFromPath(join(tracesDir, trace))], { cluster: 'falco-suite' })) {
      sweep.skippedRecords += batch.quarantined.length;
      sweep.events += batch.events.length;
      for (const event of batch.events) detector.process(event);
    }
    for (const alert of detector.finish()) sweep.detections.set(alert.rule.id, (sweep.detections.get(alert.rule.id) ?? 0) + alert.count);
  }
  return sweep;
}
