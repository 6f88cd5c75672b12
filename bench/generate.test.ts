import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { actorKindOf } from '../src/model/actor.js';
import { normalizeAuditEvent } from '../src/model/k8s-audit.js';
import { auditEventLines, writeAuditEvents } from './generate.js';

type AuditEvent = {
  auditID: string;
  stage: string;
  verb: string;
  level: string;
  user: { username: string; groups?: string[] };
  objectRef?: { resource: string; subresource?: string };
  responseStatus: { code: number };
  annotations: Record<string, string>;
  requestReceivedTimestamp: string;
  stageTimestamp: string;
};

const SAMPLE = 20_000;
const lines = [...auditEventLines({ events: SAMPLE, seed: 7 })];
const events = lines.map((line) => JSON.parse(line) as AuditEvent);
const share = (predicate: (event: AuditEvent) => boolean) => events.filter(predicate).length / events.length;

describe('auditEventLines', () => {
  it('yields exactly the number of events asked for', () => {
    expect(lines).toHaveLength(SAMPLE);
    expect([...auditEventLines({ events: 0 })]).toHaveLength(0);
    expect([...auditEventLines({ events: 1 })]).toHaveLength(1);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const once = [...auditEventLines({ events: 500, seed: 7 })];
    const again = [...auditEventLines({ events: 500, seed: 7 })];
    expect(again).toEqual(once);
    const other = [...auditEventLines({ events: 500, seed: 8 })];
    expect(other.filter((line, index) => line === once[index])).toHaveLength(0);
  });

  it('produces events that Vigil’s own normalizer accepts, each (auditID, stage) once', () => {
    const keys = new Set<string>();
    events.forEach((event, index) => {
      const normalized = normalizeAuditEvent(event as unknown as Record<string, unknown>, lines[index], 'bench');
      expect(normalized.action).toBe(event.verb);
      keys.add(`${event.auditID}/${event.stage}`);
    });
    expect(keys.size).toBe(SAMPLE);
  });

  it('has the shape of audit.k8s.io/v1 JSON lines of about a kilobyte', () => {
    const averageBytes = lines.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0) / lines.length;
    expect(averageBytes).toBeGreaterThan(700);
    expect(averageBytes).toBeLessThan(1200);
    for (const event of events.slice(0, 200)) {
      expect(event).toMatchObject({ kind: 'Event', apiVersion: 'audit.k8s.io/v1' });
      expect(event.requestReceivedTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      expect(event.stageTimestamp >= event.requestReceivedTimestamp).toBe(true);
    }
  });

  it('mixes kubelets, controllers, service accounts, people and anonymous callers', () => {
    const kinds = new Set(events.map((event) => actorKindOf(event.user.username, event.user.groups)));
    expect([...kinds].sort()).toEqual(['anonymous', 'controller', 'human', 'node', 'serviceaccount']);
    expect(share((e) => e.user.username.startsWith('system:node:'))).toBeGreaterThan(0.3);
    expect(share((e) => e.user.username === 'alice@example.com')).toBeGreaterThan(0.002);
    const humanAgents = events.filter((e) => actorKindOf(e.user.username, e.user.groups) === 'human').map((e) => (e as unknown as { userAgent: string }).userAgent);
    expect(humanAgents.some((agent) => agent.startsWith('kubectl/'))).toBe(true);
  });

  it('uses every common verb, reads and lease updates dominating as in a real cluster', () => {
    for (const verb of ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']) expect(share((e) => e.verb === verb)).toBeGreaterThan(0.005);
    expect(share((e) => e.verb === 'get' || e.verb === 'update')).toBeGreaterThan(0.5);
    expect(share((e) => e.verb === 'delete')).toBeLessThan(0.05);
  });

  it('answers mostly 200/201 with some 403, 404 and 409, and marks denials as forbid', () => {
    expect(share((e) => e.responseStatus.code === 200 || e.responseStatus.code === 201)).toBeGreaterThan(0.95);
    for (const code of [403, 404, 409]) expect(share((e) => e.responseStatus.code === code)).toBeGreaterThan(0);
    for (const denied of events.filter((e) => e.responseStatus.code === 403)) expect(denied.annotations['authorization.k8s.io/decision']).toBe('forbid');
  });

  it('writes ResponseStarted only for long-running requests, and their ResponseComplete later', () => {
    const started = events.filter((e) => e.stage === 'ResponseStarted');
    expect(started.length).toBeGreaterThan(0);
    for (const event of started) expect(event.verb === 'watch' || event.objectRef?.subresource === 'exec').toBe(true);
    const completedLater = started.filter((event) => events.some((other) => other.auditID === event.auditID && other.stage === 'ResponseComplete'));
    expect(completedLater.length).toBeGreaterThan(started.length / 2);
  });

  it('spreads requests over more than a day', () => {
    const times = events.map((e) => Date.parse(e.requestReceivedTimestamp));
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(24 * 3600 * 1000);
  });
});

describe('writeAuditEvents', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-generate-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the same lines the generator yields, one per line, and reports the byte count', async () => {
    const out = join(dir, 'audit.jsonl');
    const summary = await writeAuditEvents(out, { events: 3000, seed: 7 });
    const text = readFileSync(out, 'utf8');
    expect(summary).toEqual({ events: 3000, bytes: Buffer.byteLength(text) });
    expect(text === `${[...auditEventLines({ events: 3000, seed: 7 })].join('\n')}\n`).toBe(true);
    expect(readdirSync(dir)).toEqual(['audit.jsonl']);
  });

  it('names the path when it cannot write, and leaves no partial file behind', async () => {
    await expect(writeAuditEvents(join(dir, 'missing', 'audit.jsonl'), { events: 10 })).rejects.toThrow(/missing\/audit\.jsonl/);
    expect(readdirSync(dir)).toEqual(['audit.jsonl']);
  });
});
