import { describe, expect, it } from 'vitest';
import type { SourceKind, VigilEvent } from '../model/event.js';
import { DetectionEngine } from './engine.js';
import { compileRuleFiles } from './loader.js';

const rules = compileRuleFiles([
  {
    path: 'family.yaml',
    text: `
rules:
  - {id: audit-delete, title: t, description: d, severity: low, source: k8s.audit, match: {verb: delete}}
  - {id: audit-no-verb, title: t, description: d, severity: low, source: k8s.audit, match: {user|exists: false}}
  - {id: eks-any, title: t, description: d, severity: low, source: cloud.eks, match: {user|exists: true}}
  - {id: audit-silent, title: t, description: d, severity: low, source: k8s.audit, absence: {after: 10m}, group_by: [vigil.source]}
`,
  },
]);

const event = (source: SourceKind, extra: Partial<VigilEvent>): VigilEvent => ({
  id: `${source}-${JSON.stringify(extra)}`,
  timestamp: Date.parse('2026-03-02T10:00:00Z'),
  source,
  cluster: 'c',
  dedupKey: 'k',
  kind: 'event',
  outcome: 'unknown',
  raw: {},
  record: '{}',
  ...extra,
});

const fired = (engine: DetectionEngine, e: VigilEvent) => engine.process(e).map((detection) => detection.rule.meta.id);

describe('the k8s.audit source family', () => {
  it('runs k8s.audit rules on the audit records of EKS, GKE and AKS', () => {
    const engine = new DetectionEngine(rules);
    for (const source of ['k8s.audit', 'cloud.eks', 'cloud.gke', 'cloud.aks'] as const) {
      expect(fired(engine, event(source, { action: 'delete', auditId: `a-${source}`, userName: 'bob' })), source).toContain('audit-delete');
    }
  });

  it('does not run them on the clouds\' other records, nor on other sources', () => {
    const engine = new DetectionEngine(rules);
    expect(fired(engine, event('cloud.eks', { action: 'authenticate' }))).toEqual([]);
    expect(fired(engine, event('cloud.aks', { message: 'klog line' }))).toEqual([]);
    expect(fired(engine, event('k8s.event', { action: 'delete' }))).toEqual([]);
  });

  it('runs a cloud source\'s own rules on its audit and other records alike', () => {
    const engine = new DetectionEngine(rules);
    expect(fired(engine, event('cloud.eks', { action: 'authenticate', userName: 'kubernetes-admin' }))).toEqual(['eks-any']);
    expect(fired(engine, event('cloud.eks', { action: 'get', auditId: 'a', userName: 'bob' }))).toEqual(['eks-any']);
  });

  it('keeps an absence rule on the exact stream it names', () => {
    const engine = new DetectionEngine(rules);
    engine.process(event('cloud.eks', { auditId: 'a', userName: 'bob' }));
    expect(engine.tick(Date.parse('2026-03-02T11:00:00Z'))).toEqual([]);
    engine.process(event('k8s.audit', { auditId: 'b', userName: 'bob', timestamp: Date.parse('2026-03-02T11:00:00Z') }));
    expect(engine.tick(Date.parse('2026-03-02T12:00:00Z')).map((detection) => detection.rule.meta.id)).toEqual(['audit-silent']);
  });
});
