import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlertDetail, AlertView, DeliveryView, RoutesView } from '../../src/alert/operations.js';
import { TokenStore } from '../../src/server/auth/token-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempDir, vigil } from '../helpers/cli.js';
import { type RunningServer, startServer } from '../helpers/server.js';
import { RULE, auditEvent, waitFor } from './helpers.js';

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.kill();
  server = undefined;
});

async function request(path: string, token: string, method = 'GET', body?: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${server?.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

describe('alerts through the API and the CLI', () => {
  it('lets viewers read, responders act and admins edit routes; the CLI does the same with --server or on the data dir', async () => {
    const dir = tempDir('vigil-alerts-api-');
    const dataDir = join(dir, 'data');
    mkdirSync(join(dir, 'rules'));
    writeFileSync(join(dir, 'rules', 'secret.yaml'), RULE);
    const log = join(dir, 'notifications.ndjson');
    writeFileSync(
      join(dir, 'vigil.yaml'),
      `alerting:\n  evaluation_interval: 100ms\n  receivers:\n    log: {type: file, path: "${log}"}\n  route: {receivers: [log], group_wait: 0s, group_interval: 0s}\n`,
    );
    const tokens = SqliteStore.open(dataDir);
    const [viewer, responder, admin] = (['viewer', 'responder', 'admin'] as const).map((role) => new TokenStore(tokens.db).create(`${role}-test`, role).secret);
    await tokens.close();
    server = await startServer(['--data-dir', dataDir, '--rules', join(dir, 'rules'), '--config', join(dir, 'vigil.yaml')]);
    const posted = await fetch(`${server.url}/api/v1/ingest/k8s-audit/prod`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'EventList', items: [auditEvent()] }),
    });
    expect(posted.status).toBe(200);
    const alert = await waitFor('the alert', async () => ((await request('/api/v1/alerts', viewer)).json as AlertView[])[0]);
    expect(alert).toMatchObject({ status: 'open', rule: { id: 'test-secret-deleted' }, silencedBy: [], inhibitedBy: [] });
    await waitFor('the notification in the file', () => existsSync(log) && readFileSync(log, 'utf8').includes(alert.id));

    expect((await request(`/api/v1/alerts/${alert.id}/ack`, viewer, 'POST', { reason: 'x' })).status).toBe(403);
    const server_ = ['--server', server.url];
    const ack = await vigil(['alerts', 'ack', alert.id, '--reason', 'checking with the owner', ...server_, '--token', responder, '-o', 'json']);
    expect(ack.code, ack.stderr).toBe(0);
    expect(JSON.parse(ack.stdout)).toEqual([expect.objectContaining({ id: alert.id, status: 'acknowledged', acknowledgedBy: 'responder-test', reason: 'checking with the owner' })]);
    const again = await vigil(['alerts', 'ack', alert.id, ...server_, '--token', responder]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already acknowledged by responder-test');

    const denied = await request('/api/v1/alerts/silences', viewer, 'POST', { matchers: ['rule=x'], duration: '1h', comment: 'x' });
    expect(denied.status).toBe(403);
    const silenced = await vigil(['alerts', 'silence', '-m', 'rule=test-secret-deleted', '-m', 'cluster=prod', '--for', '1h', '--comment', 'maintenance', ...server_, '--token', responder, '-o', 'json']);
    expect(silenced.code, silenced.stderr).toBe(0);
    const silence = (JSON.parse(silenced.stdout) as Array<{ id: string; state: string; createdBy: string }>)[0];
    expect(silence).toMatchObject({ state: 'active', createdBy: 'responder-test' });
    expect(((await request('/api/v1/alerts', viewer)).json as AlertView[])[0].silencedBy).toEqual([silence.id]);
    expect(((await request('/api/v1/alerts/silences', viewer)).json as Array<{ id: string }>).map((listed) => listed.id)).toEqual([silence.id]);
    expect((await request(`/api/v1/alerts/silences/${silence.id}`, responder, 'DELETE')).json).toMatchObject({ state: 'expired', expiredBy: 'responder-test' });

    const deliveries = await vigil(['alerts', 'deliveries', '--alert', alert.id, ...server_, '--token', viewer, '-o', 'json']);
    const rows = JSON.parse(deliveries.stdout) as DeliveryView[];
    expect(rows.map((row) => [row.receiver, row.status, row.alerts])).toContainEqual(['log', 'delivered', [{ id: alert.id, event: 'trigger' }]]);

    const routes = { receivers: ['log'], routes: [{ matchers: ['severity>=critical'], receivers: ['pager'] }] };
    expect((await request('/api/v1/alerts/routes', responder, 'PUT', routes)).status).toBe(403);
    const invalid = await request('/api/v1/alerts/routes', admin, 'PUT', routes);
    expect(invalid.status).toBe(400);
    expect((invalid.json as { error: string }).error).toMatch(/route\.routes\[0\]\.receivers\[0\]: no receiver named "pager"/);
    const replaced = await request('/api/v1/alerts/routes', admin, 'PUT', { ...routes, routes: [{ matchers: ['severity>=critical'], receivers: ['log'] }] });
    expect(replaced.status).toBe(200);
    expect((await request('/api/v1/alerts/routes', viewer)).json).toMatchObject({ source: 'api', updatedBy: 'admin-test' } satisfies Partial<RoutesView>);
    expect((await request('/api/v1/alerts/routes', admin, 'DELETE')).json).toMatchObject({ source: 'config', route: { receivers: ['log'] } });
    await server.kill();
    server = undefined;

    // Without a server: the data directory, acting as --actor.
    const resolved = await vigil(['alerts', 'resolve', alert.id, '--reason', 'owner confirmed', '--actor', 'carol', '--data-dir', dataDir]);
    expect(resolved.code, resolved.stderr).toBe(0);
    const shown = await vigil(['alerts', 'show', alert.id, '-o', 'json', '--data-dir', dataDir]);
    const detail = (JSON.parse(shown.stdout) as AlertDetail[])[0];
    expect(detail.transitions.map((transition) => [transition.to, transition.by, transition.reason])).toEqual([
      ['open', 'vigil', expect.stringContaining('test-secret-deleted')],
      ['acknowledged', 'responder-test', 'checking with the owner'],
      ['resolved', 'carol', 'owner confirmed'],
    ]);
    expect(detail.notified).toEqual(['log']);
  });
});

describe('vigil config check', () => {
  it('accepts a valid file without printing its secrets, and names the bad keys of an invalid one', async () => {
    const dir = tempDir('vigil-config-');
    const good = join(dir, 'good.yaml');
    writeFileSync(
      good,
      `sources: []
alerting:
  receivers:
    slack: {type: slack, url: "\${SLACK_WEBHOOK_URL}"}
  route: {receivers: [slack]}
`,
    );
    const secretUrl = 'https://hooks.slack.com/services/T1/B1/very-secret-token';
    const ok = await vigil(['config', 'check', good], { env: { SLACK_WEBHOOK_URL: secretUrl } });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('slack (slack)');
    expect(ok.stdout + ok.stderr).not.toContain('very-secret-token');
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, `sources: [{kind: nope, cluster: x}]\nalerting:\n  receivers:\n    slack: {type: slack, url: "\${SLACK_WEBHOOK_URL}"}\n  route: {receivers: [ghost]}\n  colour: blue\n`);
    const failed = await vigil(['config', 'check', bad]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('alerting: unknown key(s) "colour"');
    expect(failed.stderr).toContain('alerting.route.receivers[0]: no receiver named "ghost"');
    expect(failed.stderr).toContain('alerting.receivers.slack.url: environment variable SLACK_WEBHOOK_URL is not set');
    expect(failed.stderr).toMatch(/sources\[0\]/);
  });
});
