import { describe, expect, it } from 'vitest';
import { compileRuleFiles } from '../../detect/loader.js';
import { expectedIntervals, healthReport } from './report.js';
import type { SourceHealth } from './source-health.js';

const MINUTE = 60_000;

const rules = compileRuleFiles([
  {
    path: 'absence.yaml',
    text: `
rules:
  - {id: a1, title: t, description: d, severity: low, source: [net.flow, runtime.tetragon], absence: {after: 1h}, group_by: [vigil.source]}
  - {id: a2, title: t, description: d, severity: low, source: net.flow, absence: {after: 30m}, group_by: [host.name]}
  - {id: m1, title: t, description: d, severity: low, source: k8s.audit, match: {verb: delete}}
`,
  },
]);

const row = (source: string, overrides: Partial<SourceHealth> = {}): SourceHealth => ({
  cluster: 'prod',
  source,
  origin: 'worker-1',
  firstSeen: 0,
  lastSeen: 10 * MINUTE,
  lastReceived: 10 * MINUTE,
  count: 50,
  errors: 0,
  quarantined: 0,
  dropped: 0,
  ...overrides,
});

describe('source health report', () => {
  it('takes the shortest absence limit per source from the rules', () => {
    expect([...expectedIntervals(rules)]).toEqual([
      ['net.flow', 30 * MINUTE],
      ['runtime.tetragon', 60 * MINUTE],
    ]);
  });

  it('marks sources silent past their limit, and those no absence rule watches', () => {
    const reports = healthReport(
      [row('net.flow'), row('runtime.tetragon'), row('k8s.audit'), row('auto', { count: 0, lastReceived: undefined, firstSeen: undefined, lastSeen: undefined, quarantined: 3 })],
      expectedIntervals(rules),
      55 * MINUTE,
    );
    expect(reports.map((report) => [report.source, report.status, report.silentForMs, report.ratePerMinute])).toEqual([
      ['net.flow', 'silent', 45 * MINUTE, 5],
      ['runtime.tetragon', 'ok', 45 * MINUTE, 5],
      ['k8s.audit', 'unwatched', 45 * MINUTE, 5],
      ['auto', 'no events', undefined, undefined],
    ]);
  });
});
