import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliRunner, defaultSuiteDir, describeOutcome, readFalcoSuite, runFalcoSuite, runInProcess, summaryLine, sweepTraces } from './regression-suite.js';

/**
 * `npm run test:falco`: Falco's Kubernetes audit regression suite through `vigil detect`, one
 * process per case (`--in-process` runs the same pipeline in this process instead). Prints each
 * case, checks that the current 48-rule file loads over every trace file, and closes with exactly
 * `N passed, M failed`. Exit status 1 when a case fails.
 *
 *   node dist/src/detect/formats/falco/regression-suite-main.js [--suite DIR] [--in-process] [--case NAME]
 */

function repoRoot(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(directory, 'package.json'))) {
    const parent = dirname(directory);
    if (parent === directory) throw new Error('cannot find the Vigil checkout (package.json) above this script');
    directory = parent;
  }
  return directory;
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function main(): Promise<number> {
  const root = repoRoot();
  const suiteDir = argument('--suite') ?? defaultSuiteDir(root);
  if (suiteDir === undefined) {
    process.stderr.write('test:falco: the suite copy is not at ../shared/fixtures/falco; give --suite DIR\n');
    return 2;
  }
  const only = argument('--case');
  const cases = readFalcoSuite(suiteDir).filter((testCase) => only === undefined || testCase.name === only);
  const inProcess = process.argv.includes('--in-process');
  const runner = inProcess ? runInProcess : cliRunner(join(root, 'bin', 'vigil.js'));
  const omitted = new Set(cases.flatMap((testCase) => testCase.omittedRuleFiles));
  process.stdout.write(`Falco k8s_audit regression suite: ${cases.length} case(s) from ${suiteDir}, through ${inProcess ? 'the detection pipeline in-process' : '`vigil detect`'}\n`);
  for (const file of omitted) process.stdout.write(`left out (not in the copy; syscall rules only): ${file}\n`);
  const outcomes = await runFalcoSuite(cases, runner, inProcess ? 1 : 4);
  for (const outcome of outcomes) process.stdout.write(`${describeOutcome(outcome)}\n`);
  const currentLoads = await checkCurrentRules(suiteDir);
  process.stdout.write(`${summaryLine(outcomes)}\n`);
  return outcomes.every((outcome) => outcome.passed) && currentLoads ? 0 : 1;
}

/** The current 48-rule file must load cleanly and run over every trace file. */
async function checkCurrentRules(suiteDir: string): Promise<boolean> {
  try {
    const sweep = await sweepTraces([join(suiteDir, 'k8saudit-rules-current', 'k8s_audit_rules.yaml')], join(suiteDir, 'trace_files', 'k8s_audit'));
    const never = sweep.notes.filter((note) => note.kind === 'cannot-match').map((note) => note.rule);
    const fired = [...sweep.detections.values()].reduce((sum, count) => sum + count, 0);
    process.stdout.write(
      `current rules: ${sweep.rules} rules load cleanly (${never.length} never fire with the shipped macros: ${never.join(', ')}); ` +
        `over ${sweep.traces} trace files: ${sweep.events} events, ${fired} detections by ${sweep.detections.size} rules, ${sweep.skippedRecords} record(s) refused\n`,
    );
    return true;
  } catch (error) {
    process.stdout.write(`current rules: FAILED: ${(error as Error).message}\n`);
    return false;
  }
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`test:falco: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
