import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRuleSet } from '../../src/detect/loader.js';
import type { CompiledRule } from '../../src/detect/rule.js';
import { call, createToken, eventually, login, withTokens } from '../helpers/api.js';
import { tempDir, vigil } from '../helpers/cli.js';
import { type RunningServer, startServer } from '../helpers/server.js';

/**
 * Enabling, disabling and testing rules over real HTTP against `vigil serve` on a real data
 * directory: the attack events are the built-in rules' own positive test events, sent through
 * the audit webhook as an apiserver would.
 */

const DISABLED = 'k8s-exec-into-pod';
const OTHER = 'k8s-cluster-admin-binding';

let server: RunningServer;
let dataDir: string;
let tokens: { viewer: string; responder: string; admin: string; ingest: string };
const rules = new Map<string, CompiledRule>(loadRuleSet('builtin').map((rule) => [rule.meta.id, rule]));

beforeAll(async () => {
  dataDir = tempDir('vigil-rules-api-');
  tokens = {
    viewer: createToken(dataDir, 'viewer').secret,
    responder: createToken(dataDir, 'responder').secret,
    admin: createToken(dataDir, 'admin').secret,
    ingest: withTokens(dataDir, (store) => store.create('lab-apiserver', 'ingest', 'lab').secret),
  };
  server = await startServer(['--data-dir', dataDir]);
});

afterAll(async () => {
  await server?.kill();
});

/** The rule's first positive test event, as a new request happening now (a new auditID, so it is no duplicate). */
function attackOf(ruleId: string): Record<string, unknown> {
  const event = structuredClone(rules.get(ruleId)?.tests.positive[0].events[0]) as Record<string, unknown>;
  const now = new Date().toISOString();
  return { ...event, auditID: randomUUID(), requestReceivedTimestamp: now, stageTimestamp: now };
}

async function send(...events: Record<string, unknown>[]): Promise<void> {
  const answer = await call(server.url, '/api/v1/ingest/k8s-audit', { method: 'POST', token: tokens.ingest, body: { kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items: events } });
  expect(answer.status, answer.text).toBe(200);
}

/** Detections folded into the rule's alerts so far. */
async function detectionsOf(ruleId: string): Promise<number> {
  const answer = await call(server.url, `/api/v1/alerts?rule=${ruleId}`, { token: tokens.viewer });
  expect(answer.status, answer.text).toBe(200);
  return (answer.body as Array<{ count: number }>).reduce((sum, alert) => sum + alert.count, 0);
}

async function ruleView(ruleId: string): Promise<{ enabled: boolean; changed?: { by: string; reason?: string } }> {
  const list = (await call(server.url, '/api/v1/rules', { token: tokens.viewer })).body as Array<{ id: string; enabled: boolean; changed?: { by: string; reason?: string } }>;
  const rule = list.find((candidate) => candidate.id === ruleId);
  if (rule === undefined) throw new Error(`no ${ruleId} in the rules list`);
  return rule;
}

const change = (ruleId: string, verb: 'enable' | 'disable', token: string, body?: unknown) => call(server.url, `/api/v1/rules/${ruleId}/${verb}`, { method: 'POST', token, body });

/** Stops the server as an operator does (SIGTERM: last checkpoint signed) and waits for it. */
async function stopGracefully(running: RunningServer): Promise<void> {
  const exited = new Promise((resolve) => running.process.once('exit', resolve));
  running.process.kill('SIGTERM');
  await exited;
}

describe('enabling and disabling rules', () => {
  it('refuses viewers and responders (403) and unknown rules (404)', async () => {
    expect((await change(DISABLED, 'disable', tokens.viewer)).status).toBe(403);
    expect((await change(DISABLED, 'disable', tokens.responder)).status).toBe(403);
    expect((await change(DISABLED, 'disable', tokens.admin, { colour: 'red' })).status).toBe(400);
    const unknown = await change('no-such-rule', 'disable', tokens.admin);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: expect.stringContaining('no-such-rule') });
    expect(await ruleView(DISABLED)).toMatchObject({ enabled: true });
  });

  it('stops a disabled rule at once while the other rules keep firing, and runs it again once enabled', async () => {
    const disabled = await change(DISABLED, 'disable', tokens.admin, { reason: 'noisy during the migration' });
    expect(disabled.status, disabled.text).toBe(200);
    expect(disabled.body).toMatchObject({ id: DISABLED, enabled: false, changed: { by: 'admin-test', reason: 'noisy during the migration' } });

    await send(attackOf(DISABLED), attackOf(OTHER));
    await eventually(async () => ((await detectionsOf(OTHER)) > 0 ? true : undefined), `an alert of ${OTHER}`);
    expect(await detectionsOf(DISABLED)).toBe(0);

    const enabled = await change(DISABLED, 'enable', tokens.admin);
    expect(enabled.status, enabled.text).toBe(200);
    expect(enabled.body).toMatchObject({ enabled: true, changed: { by: 'admin-test' } });
    await send(attackOf(DISABLED));
    await eventually(async () => ((await detectionsOf(DISABLED)) > 0 ? true : undefined), `an alert of ${DISABLED} once enabled`);
  });

  it('takes a change from a UI session only with its CSRF token, and leaves an unchanged state unrecorded', async () => {
    const session = await login(server.url, tokens.admin);
    const withoutCsrf = await call(server.url, `/api/v1/rules/${DISABLED}/disable`, { method: 'POST', cookie: session.cookie });
    expect(withoutCsrf.status).toBe(403);
    expect(await ruleView(DISABLED)).toMatchObject({ enabled: true });
    const withCsrf = await call(server.url, `/api/v1/rules/${DISABLED}/disable`, { method: 'POST', cookie: session.cookie, csrf: session.csrf });
    expect(withCsrf.status, withCsrf.text).toBe(200);
    const again = await change(DISABLED, 'disable', tokens.admin);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ enabled: false, changed: { by: 'admin-test' } });
  });

  it('records every change in the ledger, and vigil verify finds the ledger intact', async () => {
    const q = 'source=vigil.admin action=(rule.enable, rule.disable) | fields action, message';
    const answer = await call(server.url, `/api/v1/events?q=${encodeURIComponent(q)}&since=1h`, { token: tokens.viewer });
    expect(answer.status, answer.text).toBe(200);
    const records = (answer.body as { rows: Array<{ action: string; message: string }> }).rows;
    expect(records.map((record) => record.action).sort()).toEqual(['rule.disable', 'rule.disable', 'rule.enable']);
    expect(records).toContainEqual({ action: 'rule.disable', message: `rule ${DISABLED} disabled by admin-test: noisy during the migration` });
  });

  it('keeps a disabled rule disabled after a restart', async () => {
    const before = await detectionsOf(DISABLED);
    const otherBefore = await detectionsOf(OTHER);
    await stopGracefully(server);
    const verify = await vigil(['verify', '--data-dir', dataDir]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    server = await startServer(['--data-dir', dataDir]);
    expect(await ruleView(DISABLED)).toMatchObject({ enabled: false, changed: { by: 'admin-test' } });
    await send(attackOf(DISABLED), attackOf(OTHER));
    await eventually(async () => ((await detectionsOf(OTHER)) > otherBefore ? true : undefined), `a new detection of ${OTHER}`);
    expect(await detectionsOf(DISABLED)).toBe(before);
  });

  it('follows vigil rules enable run by another process on the data directory, and the ledger stays intact', async () => {
    const before = await detectionsOf(DISABLED);
    const cli = await vigil(['rules', 'enable', DISABLED, '--data-dir', dataDir, '--actor', 'ops-cli', '--reason', 'migration done']);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toBe(`rule ${DISABLED} enabled by ops-cli\n`);
    expect(await ruleView(DISABLED)).toMatchObject({ enabled: true, changed: { by: 'ops-cli', reason: 'migration done' } });
    await send(attackOf(DISABLED));
    await eventually(async () => ((await detectionsOf(DISABLED)) > before ? true : undefined), `${DISABLED} firing again`);
    const unknown = await vigil(['rules', 'disable', 'no-such-rule', '--data-dir', dataDir]);
    expect(unknown.code).toBe(2);
    expect((await call(server.url, '/api/v1/integrity/verify', { method: 'POST', token: tokens.responder })).status).toBe(202);
    const verify = await eventually(async () => {
      const state = ((await call(server.url, '/api/v1/integrity', { token: tokens.viewer })).body as { verify: { state: string; intact?: boolean } }).verify;
      return state.state === 'done' || state.state === 'failed' ? state : undefined;
    }, 'the verification');
    expect(verify).toMatchObject({ state: 'done', intact: true });
  });

  it('is documented in the OpenAPI document with the role each route needs', async () => {
    const document = (await call(server.url, '/api/v1/openapi.json', { token: tokens.viewer })).body as { paths: Record<string, Record<string, { 'x-vigil-role'?: string; requestBody?: unknown }>> };
    expect(document.paths['/api/v1/rules/{id}/disable'].post['x-vigil-role']).toBe('admin');
    expect(document.paths['/api/v1/rules/{id}/enable'].post['x-vigil-role']).toBe('admin');
    expect(document.paths['/api/v1/rules/{id}/test'].post['x-vigil-role']).toBe('responder');
    expect(document.paths['/api/v1/rules/{id}/test'].post.requestBody).toBeDefined();
    expect(document.paths['/api/v1/rules/{id}/test/embedded'].post['x-vigil-role']).toBe('responder');
  });
});

describe('testing a rule on given events', () => {
  const test = (ruleId: string, body: unknown, token = tokens.responder) => call(server.url, `/api/v1/rules/${ruleId}/test`, { method: 'POST', token, body });
  type Trial = { events: number; matched: Array<{ index: number; inAlert: boolean }>; alerts: Array<{ rule: { id: string }; count: number }>; notes: string[] };

  it('matches a positive sample and raises its alert, matches nothing of a negative one, and stores nothing', async () => {
    const rule = rules.get(OTHER) as CompiledRule;
    const alertsBefore = await detectionsOf(OTHER);
    const positive = await test(OTHER, rule.tests.positive[0].events);
    expect(positive.status, positive.text).toBe(200);
    const hit = positive.body as Trial;
    expect(hit).toMatchObject({ events: 1, matched: [{ index: 0, inAlert: true }] });
    expect(hit.alerts).toHaveLength(1);
    expect(hit.alerts[0]).toMatchObject({ rule: { id: OTHER }, count: 1 });

    const negative = await test(OTHER, rule.tests.negative[0].events[0]);
    expect(negative.status, negative.text).toBe(200);
    expect(negative.body).toMatchObject({ events: 1, matched: [], alerts: [] });
    expect(await detectionsOf(OTHER)).toBe(alertsBefore);
  });

  it('runs a disabled rule too, and stateful rules over the events given', async () => {
    expect((await change(DISABLED, 'disable', tokens.admin)).body).toMatchObject({ enabled: false });
    const disabled = (await test(DISABLED, rules.get(DISABLED)?.tests.positive[0].events)).body as Trial;
    expect(disabled.alerts).toHaveLength(1);
    expect(disabled.notes).toContainEqual(expect.stringContaining('disabled'));
    const stateful = [...rules.values()].find((rule) => rule.operator.kind === 'threshold' && rule.sources?.has('k8s.audit')) as CompiledRule;
    // Compiled tests hold durations in ms; a request gives them as a rule file does ("10000ms"; a bare number is seconds).
    const steps = stateful.tests.positive[0].events.map((step) => ('every' in step ? { ...step, every: `${String(step.every)}ms` } : step));
    const burst = (await test(stateful.meta.id, steps)).body as Trial;
    expect(burst.alerts.length, stateful.meta.id).toBeGreaterThanOrEqual(1);
    expect(burst.matched.length).toBeGreaterThan(1);
  });

  it('takes NDJSON text and says which line is not JSON', async () => {
    const rule = rules.get(OTHER) as CompiledRule;
    const ndjson = `${JSON.stringify(rule.tests.negative[0].events[0])}\n\n${JSON.stringify(rule.tests.positive[0].events[0])}\n`;
    const send = (text: string) =>
      fetch(`${server.url}/api/v1/rules/${OTHER}/test`, { method: 'POST', headers: { authorization: `Bearer ${tokens.responder}`, 'content-type': 'application/x-ndjson' }, body: text });
    const answer = await send(ndjson);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ events: 2, matched: [{ index: 1, inAlert: true }] });
    const broken = await send(`${JSON.stringify(rule.tests.positive[0].events[0])}\n{not json\n`);
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: string }).error).toMatch(/^line 2: not JSON/);
  });

  it('refuses viewers, unknown rules and input that is no event', async () => {
    expect((await test(OTHER, [{}], tokens.viewer)).status).toBe(403);
    expect((await test('no-such-rule', [{}])).status).toBe(404);
    const notAudit = await test(OTHER, [{ hello: 'world' }]);
    expect(notAudit.status).toBe(400);
    expect((notAudit.body as { error: string }).error).toMatch(/step 1/);
    expect((await test(OTHER, [])).status).toBe(400);
  });

  it("runs the rule's own embedded tests", async () => {
    const answer = await call(server.url, `/api/v1/rules/${OTHER}/test/embedded`, { method: 'POST', token: tokens.responder });
    expect(answer.status, answer.text).toBe(200);
    const report = answer.body as { failed: number; results: Array<{ kind: string; passed: boolean }> };
    expect(report.failed).toBe(0);
    expect(report.results.map((result) => result.kind)).toEqual(expect.arrayContaining(['positive', 'negative']));
    expect(report.results.every((result) => result.passed)).toBe(true);
  });
});
