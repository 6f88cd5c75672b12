import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { normalizeAuditEvent } from '../../src/model/k8s-audit.js';
import type { VigilEvent } from '../../src/model/event.js';
import { Detector } from '../../src/detect/detector.js';
import { loadRuleSets } from '../../src/detect/loader.js';
import { lintRuleLocations } from '../../src/detect/rule-lint.js';
import { REPO_ROOT, SHARED_FIXTURES } from '../helpers/cli.js';

/**
 * The 16 SigmaHQ Kubernetes audit rules, unmodified, against audit events written for them
 * (test/fixtures/sigma-events/, one positive and one negative per rule).
 */
const RULES_DIR = join(SHARED_FIXTURES, 'sigma', 'kubernetes-audit');
const EVENTS_DIR = join(REPO_ROOT, 'test', 'fixtures', 'sigma-events');
const RULE_FILES = readdirSync(RULES_DIR).filter((name) => name.endsWith('.yml')).sort();
/** The one rule lint flags: it compares the integer responseStatus.code with the string ALLOW. */
const CANNOT_MATCH = 'kubernetes_audit_potential_enumeration_activity.yml';

interface EventCase {
  description: string;
  event: Record<string, unknown>;
}

function eventsFor(ruleFile: string): { positive: EventCase; negative: EventCase } {
  return parse(readFileSync(join(EVENTS_DIR, `${basename(ruleFile, '.yml')}.yaml`), 'utf8')) as { positive: EventCase; negative: EventCase };
}

function auditEvent(raw: Record<string, unknown>): VigilEvent {
  return normalizeAuditEvent(raw, JSON.stringify(raw), 'sigma-test');
}

function firedRules(ruleFile: string, event: VigilEvent): string[] {
  const detector = new Detector(loadRuleSets([join(RULES_DIR, ruleFile)]).rules);
  detector.process(event);
  return detector.finish().map((alert) => alert.rule.id);
}

describe('SigmaHQ Kubernetes audit rules', () => {
  it('all 16 load, keeping id, title, author and level', () => {
    expect(RULE_FILES).toHaveLength(16);
    const { rules } = loadRuleSets([RULES_DIR]);
    expect(rules).toHaveLength(16);
    for (const rule of rules) {
      const source = parse(readFileSync(rule.meta.origin, 'utf8')) as { id: string; title: string; author: string; level: string };
      expect(rule.meta).toMatchObject({ id: source.id, title: source.title, author: source.author, nativeSeverity: source.level, format: 'sigma' });
    }
  });

  it('lint flags exactly the rule that cannot match, with the reason', () => {
    const report = lintRuleLocations([RULES_DIR]);
    const cannot = report.findings.filter((finding) => finding.kind === 'cannot-match');
    expect(cannot).toEqual([
      expect.objectContaining({
        rule: '597a7e84-187d-458b-9e4f-2f5a0e676711',
        message: expect.stringContaining('responseStatus.code is a number in real events; "ALLOW" never equals one'),
      }),
    ]);
    expect(report.failures).toBe(1);
  });

  for (const ruleFile of RULE_FILES) {
    const { positive, negative } = eventsFor(ruleFile);
    const id = (parse(readFileSync(join(RULES_DIR, ruleFile), 'utf8')) as { id: string }).id;
    if (ruleFile === CANNOT_MATCH) {
      it(`${ruleFile}: stays silent even on the activity it means (${positive.description})`, () => {
        expect(firedRules(ruleFile, auditEvent(positive.event))).toEqual([]);
      });
    } else {
      it(`${ruleFile}: fires on ${positive.description}`, () => {
        expect(firedRules(ruleFile, auditEvent(positive.event))).toEqual([id]);
      });
    }
    it(`${ruleFile}: stays silent on ${negative.description}`, () => {
      expect(firedRules(ruleFile, auditEvent(negative.event))).toEqual([]);
    });
  }
});

describe('SigmaHQ GCP Kubernetes rules', () => {
  const gkeEvent = (methodName: string, verb: string, resource: string): VigilEvent => {
    const audit = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      auditID: `gke-${methodName}`,
      stage: 'ResponseComplete',
      verb,
      requestURI: `/api/v1/namespaces/payments/${resource}/db-credentials`,
      user: { username: 'alice@example.com' },
      objectRef: { resource, namespace: 'payments', name: 'db-credentials', apiVersion: 'v1' },
      responseStatus: { code: 200 },
      requestReceivedTimestamp: '2026-03-02T10:07:00.300000Z',
    };
    const entry = {
      insertId: audit.auditID,
      protoPayload: { methodName, resourceName: `core/v1/namespaces/payments/${resource}/db-credentials`, serviceName: 'k8s.io', authenticationInfo: { principalEmail: 'alice@example.com' } },
      timestamp: '2026-03-02T10:07:00.300000Z',
    };
    return { ...normalizeAuditEvent(audit, JSON.stringify(entry), 'gke-test'), source: 'cloud.gke' };
  };
  const fired = (event: VigilEvent): string[] => {
    const detector = new Detector(loadRuleSets([join(SHARED_FIXTURES, 'sigma', 'gcp-kubernetes')]).rules);
    detector.process(event);
    return detector.finish().map((alert) => alert.rule.title);
  };

  it('read methodName from the Cloud Audit entry of a GKE event', () => {
    expect(fired(gkeEvent('io.k8s.core.v1.secrets.delete', 'delete', 'secrets'))).toEqual(['Google Cloud Kubernetes Secrets Modified or Deleted']);
    expect(fired(gkeEvent('io.k8s.core.v1.secrets.get', 'get', 'secrets'))).toEqual([]);
  });
});
