import { describe, expect, it } from 'vitest';
import { DetectionEngine } from '../../src/detect/engine.js';
import { loadRuleSet } from '../../src/detect/loader.js';
import type { VigilEvent } from '../../src/model/event.js';
import { inputFromPath } from '../../src/sources/input.js';
import { readEvents } from '../../src/sources/read.js';
import { vigil } from '../helpers/cli.js';
import { OWN, ownFixtureFiles } from './fixture-files.js';

// any: alerts as printed by `vigil detect -o json`.
type Json = Record<string, any>;

describe('built-in rules on the cloud and network samples (vigil detect)', () => {
  it('raise the native audit rules on EKS, GKE and AKS audit records, and the new sources\' own rules', async () => {
    // pushed-entries.json holds what pubsub-push.json carries: read once.
    const files = ownFixtureFiles().filter((file) => !file.endsWith('pushed-entries.json'));
    const result = await vigil(['detect', '-o', 'json', '--cluster', 'samples', ...files]);
    expect(result.code).toBe(1);
    const alerts = (JSON.parse(result.stdout) as Json[]).map((alert) => [alert.rule.id, alert.entity]);
    expect(alerts).toEqual(
      expect.arrayContaining([
        // EKS audit stream (cloud.eks) through k8s.audit rules
        ['k8s-anonymous-allowed', expect.objectContaining({ sourceIP: '198.51.100.23' })],
        ['k8s-secrets-read-by-human', expect.objectContaining({ user: 'kubernetes-admin' })],
        // GKE LogEntries (cloud.gke), rebuilt into audit events
        ['k8s-privileged-container', expect.objectContaining({ user: 'mallory@example.com', name: 'debug-root' })],
        ['k8s-exec-into-pod', expect.objectContaining({ user: 'alice@example.com', pod: 'api-7d9c-x2x' })],
        ['k8s-logging-namespace-deleted', expect.objectContaining({ user: 'mallory@example.com', name: 'logging' })],
        // AKS kube-audit (cloud.aks)
        ['k8s-exec-into-pod', expect.objectContaining({ user: 'alice@contoso.com', pod: 'api-7d9c-x2x' })],
        // the sources' own rules
        ['eks-authenticator-unmapped-identity', expect.objectContaining({ user: 'arn:aws:iam::444455556666:user/mallory' })],
        ['eks-iam-user-cluster-admin', expect.objectContaining({ user: 'kubernetes-admin' })],
        ['ingress-exploit-attempt', expect.objectContaining({ sourceIP: '198.51.100.51' })],
        ['ingress-exploit-attempt', expect.objectContaining({ sourceIP: '198.51.100.61' })],
        ['hubble-cloud-metadata-access', expect.objectContaining({ namespace: 'default', pod: 'xwing' })],
        ['tetragon-interactive-shell-in-container', expect.objectContaining({ pod: 'api-7d9c-x2x' })],
        ['tetragon-crypto-miner', expect.objectContaining({ pod: 'api-7d9c-x2x' })],
        ['tetragon-sensitive-file-read', expect.objectContaining({ pod: 'api-7d9c-x2x' })],
      ]),
    );
  });
});

describe('the k8s.audit rules and non-audit cloud records', () => {
  it('leave EKS authenticator and API server lines, and AKS guard lines, to their own rules', async () => {
    const events: VigilEvent[] = [];
    for (const file of [OWN('eks', 'filter-log-events.json'), OWN('eks', 'subscription-payload.json'), OWN('aks', 'event-hub-message.json')]) {
      for await (const batch of readEvents([inputFromPath(file)], { cluster: 'c' })) events.push(...batch.events.filter((event) => event.auditId === undefined));
    }
    expect(events.length).toBe(6);
    const engine = new DetectionEngine(loadRuleSet('builtin').filter((rule) => rule.operator.kind !== 'absence'));
    const fired = events.flatMap((event) => engine.process(event).map((detection) => detection.rule.meta.id));
    expect(fired.filter((id) => id.startsWith('k8s-'))).toEqual([]);
    expect(fired).toContain('eks-authenticator-unmapped-identity');
  });
});
