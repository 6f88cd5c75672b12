import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliRunner, judgeCase, readFalcoSuite, runInProcess, sweepTraces } from '../../src/detect/formats/falco/regression-suite.js';
import { SHARED_FIXTURES, VIGIL_BIN } from '../helpers/cli.js';

/**
 * Falco's own Kubernetes audit regression suite (../shared/fixtures/falco): every case's rule
 * files, trace and expectations, judged as Falco's harness judges them. `npm run test:falco` runs
 * the same cases through the `vigil` command; here they run in-process, plus two through the CLI.
 */
const SUITE = join(SHARED_FIXTURES, 'falco');
const CASES = readFalcoSuite(SUITE);

describe("Falco's k8s_audit regression suite", () => {
  it('has its 66 cases', () => {
    expect(CASES).toHaveLength(66);
  });

  for (const testCase of CASES) {
    it(testCase.name, async () => {
      const outcome = judgeCase(testCase, await runInProcess(testCase));
      expect(outcome.reasons).toEqual([]);
    });
  }

  it('gives the same verdicts through `vigil detect --rules … --rules …`', async () => {
    const run = cliRunner(VIGIL_BIN);
    for (const name of ['create_configmap_private_creds', 'create_privileged_trusted_pod', 'fal_01_003']) {
      const testCase = CASES.find((candidate) => candidate.name === name);
      if (testCase === undefined) throw new Error(`no case ${name}`);
      expect(judgeCase(testCase, await run(testCase))).toEqual({ name, passed: true, reasons: [] });
    }
  });

  it('fails a case whose expectation is not met, saying why', async () => {
    const testCase = CASES.find((candidate) => candidate.name === 'create_configmap_private_creds');
    if (testCase === undefined) throw new Error('no case create_configmap_private_creds');
    const wrong = { ...testCase, detectCounts: { 'Create/Modify Configmap With Private Credentials': 5 } };
    expect(judgeCase(wrong, await runInProcess(wrong)).reasons).toEqual(['rule "Create/Modify Configmap With Private Credentials": expected 5 detection(s), got 6']);
  });
});

describe('the current k8saudit rules file (48 rules)', () => {
  it('loads cleanly and runs over every trace file', async () => {
    const sweep = await sweepTraces([join(SUITE, 'k8saudit-rules-current', 'k8s_audit_rules.yaml')], join(SUITE, 'trace_files', 'k8s_audit'));
    expect(sweep.rules).toBe(48);
    expect(sweep.notes.filter((note) => note.kind !== 'cannot-match')).toEqual([]);
    expect(sweep.notes.map((note) => note.rule).sort()).toEqual([
      'All K8s Audit Events',
      'Create Disallowed Pod',
      'Full K8s Administrative Access',
      'Untrusted Node Successfully Joined the Cluster',
      'Untrusted Node Unsuccessfully Tried to Join the Cluster',
    ]);
    expect(sweep.traces).toBeGreaterThanOrEqual(46);
    expect(sweep.detections.get('Create Privileged Pod')).toBe(3);
    expect(sweep.detections.get('Attach/Exec Pod')).toBe(2);
    expect(sweep.detections.get('K8s ClusterRole Created')).toBeGreaterThan(0);
  });
});
