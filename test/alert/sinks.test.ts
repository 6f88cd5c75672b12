import { execFileSync } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Notification } from '../../src/alert/notification.js';
import { tempDir } from '../helpers/cli.js';
import { type Received, Receiver, alertJson, drain, harness, waitFor } from './helpers.js';

const SECRET = 'webhook-secret-0123456789';

/** Checks a webhook request the way a receiver should: HMAC-SHA256 over "<timestamp>.<raw body>". */
function signatureValid(request: Received, secret: string): boolean {
  const timestamp = request.headers['x-vigil-timestamp'];
  const signature = request.headers['x-vigil-signature'];
  if (typeof timestamp !== 'string' || typeof signature !== 'string') return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.${request.body}`).digest('hex')}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Slack Block Kit limits for the blocks Vigil uses (api.slack.com/reference/block-kit/blocks). */
function slackProblems(json: unknown): string[] {
  const problems: string[] = [];
  const message = json as { text?: unknown; blocks?: unknown };
  if (typeof message.text !== 'string' || message.text === '') problems.push('text (the notification fallback) is missing');
  if (!Array.isArray(message.blocks)) return [...problems, 'blocks is not a list'];
  if (message.blocks.length > 50) problems.push(`${message.blocks.length} blocks; at most 50`);
  const textObject = (value: unknown, where: string, types: string[], max: number) => {
    const object = value as { type?: unknown; text?: unknown };
    if (!types.includes(object?.type as string)) problems.push(`${where}.type ${String(object?.type)} not in ${types.join('|')}`);
    if (typeof object?.text !== 'string' || object.text.length === 0 || object.text.length > max) problems.push(`${where}.text must be 1..${max} characters`);
  };
  message.blocks.forEach((raw, index) => {
    const block = raw as { type: string; text?: unknown; fields?: unknown[]; elements?: unknown[] };
    const where = `blocks[${index}]`;
    if (block.type === 'header') textObject(block.text, `${where}.text`, ['plain_text'], 150);
    else if (block.type === 'section') {
      textObject(block.text, `${where}.text`, ['mrkdwn', 'plain_text'], 3000);
      if ((block.fields?.length ?? 0) > 10) problems.push(`${where}: more than 10 fields`);
      block.fields?.forEach((field, position) => textObject(field, `${where}.fields[${position}]`, ['mrkdwn', 'plain_text'], 2000));
    } else if (block.type === 'context') {
      if (!block.elements || block.elements.length === 0 || block.elements.length > 10) problems.push(`${where}: 1..10 elements`);
      block.elements?.forEach((element, position) => textObject(element, `${where}.elements[${position}]`, ['mrkdwn', 'plain_text'], 3000));
    } else if (block.type !== 'divider') problems.push(`${where}: unexpected block type ${block.type}`);
  });
  return problems;
}

/** PagerDuty Events API v2 (developer.pagerduty.com, "Send an Alert Event"). */
function pagerDutyProblems(json: unknown): string[] {
  const problems: string[] = [];
  const event = json as Record<string, unknown>;
  if (typeof event.routing_key !== 'string' || event.routing_key.length !== 32) problems.push('routing_key must be the 32-character integration key');
  if (!['trigger', 'acknowledge', 'resolve'].includes(event.event_action as string)) problems.push(`event_action ${String(event.event_action)}`);
  if (typeof event.dedup_key !== 'string' || event.dedup_key.length === 0 || event.dedup_key.length > 255) problems.push('dedup_key must be 1..255 characters');
  if (event.event_action === 'trigger') {
    const payload = event.payload as Record<string, unknown> | undefined;
    if (!payload) return [...problems, 'trigger without payload'];
    if (typeof payload.summary !== 'string' || payload.summary.length === 0 || payload.summary.length > 1024) problems.push('payload.summary must be 1..1024 characters');
    if (typeof payload.source !== 'string' || payload.source === '') problems.push('payload.source is required');
    if (!['critical', 'error', 'warning', 'info'].includes(payload.severity as string)) problems.push(`payload.severity ${String(payload.severity)}`);
    if (payload.timestamp !== undefined && Number.isNaN(Date.parse(payload.timestamp as string))) problems.push('payload.timestamp is not ISO 8601');
    if (payload.custom_details !== undefined && (typeof payload.custom_details !== 'object' || payload.custom_details === null)) problems.push('payload.custom_details must be an object');
  }
  return problems;
}

describe('sinks against local receivers', () => {
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await Receiver.start();
  });
  afterAll(async () => {
    await receiver.down();
  });

  it('webhook: signs every attempt with HMAC-SHA256 and keeps one idempotency key across retries', async () => {
    const h = await harness(`
receivers:
  hook: {type: webhook, url: "${receiver.url}/hook", secret: "${SECRET}", delivery: {backoff: 10ms, max_backoff: 20ms}}
route: {receivers: [hook], group_wait: 0s}
`);
    const alert = alertJson();
    let calls = 0;
    receiver.answer = (request) => (request.path === '/hook' && ++calls === 1 ? 503 : 200);
    await h.detected(alert);
    h.notifier.tick(Date.now());
    await drain(h);
    receiver.answer = () => 200;
    const requests = receiver.requests.filter((request) => request.path === '/hook');
    expect(requests).toHaveLength(2);
    for (const request of requests) {
      expect(signatureValid(request, SECRET)).toBe(true);
      expect(signatureValid(request, 'another-secret-0123456789')).toBe(false);
    }
    expect(requests[0].headers['idempotency-key']).toBe(requests[1].headers['idempotency-key']);
    const body = requests[1].json as Notification & { version: string };
    expect(body.version).toBe('vigil.notification/v1');
    expect(body.id).toBe(requests[0].headers['idempotency-key']);
    expect(body.alerts.map((a) => [a.id, a.event, a.rule.id])).toEqual([[alert.id, 'trigger', 'k8s-secret-deleted']]);
    const tampered = { ...requests[1], body: requests[1].body.replace('trigger', 'resolve') };
    expect(signatureValid(tampered, SECRET)).toBe(false);
    await h.close();
  });

  it('slack: Block Kit message within the documented limits, also for a group of many alerts', async () => {
    const h = await harness(`
receivers:
  slack: {type: slack, url: "${receiver.url}/slack"}
route: {receivers: [slack], group_by: [rule], group_wait: 0s}
`);
    const alerts = Array.from({ length: 14 }, (_, index) => alertJson({ rule: 'k8s-exec-into-pod', user: `user-${index}-${'x'.repeat(300)}` }));
    await h.detected(...alerts);
    h.notifier.tick(Date.now());
    await drain(h);
    const messages = receiver.requests.filter((request) => request.path === '/slack');
    expect(messages).toHaveLength(1);
    expect(slackProblems(messages[0].json)).toEqual([]);
    const text = JSON.stringify(messages[0].json);
    expect(text).toContain('FIRING');
    expect(text).toContain('and 4 more alert(s)');
    await h.close();
  });

  it('pagerduty: trigger, acknowledge and resolve events valid against Events API v2, one dedup_key per alert', async () => {
    const h = await harness(`
receivers:
  pd: {type: pagerduty, routing_key: 0123456789abcdef0123456789abcdef, url: "${receiver.url}/pd"}
route: {receivers: [pd], group_wait: 0s, group_interval: 0s}
`);
    const alert = alertJson({ severity: 'critical' });
    await h.detected(alert);
    h.notifier.tick(Date.now());
    await drain(h);
    await h.service.as('alice').acknowledge(alert.id, 'on it');
    h.notifier.tick(Date.now());
    await drain(h);
    await h.service.as('alice').resolve(alert.id, 'fixed');
    h.notifier.tick(Date.now());
    await drain(h);
    const events = receiver.requests.filter((request) => request.path === '/pd' && (request.json as { dedup_key: string }).dedup_key === `vigil-${alert.id}`);
    expect(events.map((request) => (request.json as { event_action: string }).event_action)).toEqual(['trigger', 'acknowledge', 'resolve']);
    for (const event of events) expect(pagerDutyProblems(event.json)).toEqual([]);
    expect(new Set(events.map((request) => (request.json as { dedup_key: string }).dedup_key))).toEqual(new Set([`vigil-${alert.id}`]));
    expect((events[0].json as { payload: { severity: string } }).payload.severity).toBe('critical');
    await h.close();
  });

  it('file: one NDJSON line per notification', async () => {
    const path = join(tempDir(), 'alerts.ndjson');
    const h = await harness(`
receivers:
  log: {type: file, path: "${path}"}
route: {receivers: [log], group_wait: 0s}
`);
    await h.detected(alertJson(), alertJson());
    h.notifier.tick(Date.now());
    await drain(h);
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.map((line) => (JSON.parse(line) as Notification).alerts[0].event)).toEqual(['trigger', 'trigger']);
    await h.close();
  });
});

describe('smtp sink against an in-process SMTP server', () => {
  it('sends text and HTML over STARTTLS, and refuses a server without STARTTLS', async () => {
    const dir = tempDir('vigil-smtp-');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
    const mails: Array<{ secure: boolean; from: string; to: string[]; data: string }> = [];
    const server = new SMTPServer({
      key: readFileSync(join(dir, 'key.pem')),
      cert: readFileSync(join(dir, 'cert.pem')),
      authOptional: true,
      onData(stream, session, callback) {
        let data = '';
        stream.on('data', (chunk: Buffer) => (data += chunk.toString()));
        stream.on('end', () => {
          mails.push({ secure: session.secure, from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((rcpt) => rcpt.address), data });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const port = (server.server.address() as { port: number }).port;
    const plain = new SMTPServer({ disabledCommands: ['STARTTLS'], authOptional: true, onData: (_stream, _session, callback) => callback() });
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', () => resolve()));
    const plainPort = (plain.server.address() as { port: number }).port;
    const h = await harness(`
receivers:
  lead:
    type: smtp
    host: 127.0.0.1
    port: ${port}
    ca_file: "${join(dir, 'cert.pem')}"
    from: vigil@example.com
    to: [security-lead@example.com]
  insecure:
    type: smtp
    host: 127.0.0.1
    port: ${plainPort}
    from: vigil@example.com
    to: [nobody@example.com]
    delivery: {max_attempts: 1}
route: {receivers: [lead, insecure], group_wait: 0s}
`);
    const alert = alertJson({ severity: 'critical' });
    await h.detected(alert);
    h.notifier.tick(Date.now());
    await drain(h);
    await waitFor('the mail', () => mails.length === 1);
    expect(mails[0].secure).toBe(true);
    expect(mails[0].from).toBe('vigil@example.com');
    expect(mails[0].to).toEqual(['security-lead@example.com']);
    expect(mails[0].data).toMatch(/^Subject: \[Vigil\] FIRING \[critical\] Rule k8s-secret-deleted/m);
    expect(mails[0].data).toContain('Content-Type: text/plain');
    expect(mails[0].data).toContain('Content-Type: text/html');
    expect(mails[0].data).toContain(alert.id);
    const refused = h.state.outbox.list({ receiver: 'insecure' });
    expect(refused.map((entry) => entry.status)).toEqual(['dead']);
    expect(refused[0].lastError).toMatch(/STARTTLS|TLS/i);
    await h.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await new Promise<void>((resolve) => plain.close(() => resolve()));
  });
});
