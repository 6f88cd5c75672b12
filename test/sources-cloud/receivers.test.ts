import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, vigil } from '../helpers/cli.js';
import { type RunningServer, startServer } from '../helpers/server.js';
import { OWN } from './fixture-files.js';

// any: JSON answers of the server, checked field by field.
type Json = Record<string, any>;

const firehoseBody = readFileSync(OWN('eks', 'firehose-request.json'), 'utf8');
const pushes = readFileSync(OWN('gke', 'pubsub-push.json'), 'utf8').split('\n').filter(Boolean);

async function token(dataDir: string, role: string, cluster?: string): Promise<string> {
  const result = await vigil(['tokens', 'create', '--name', `${role}-${cluster ?? 'any'}`, '--role', role, ...(cluster ? ['--cluster', cluster] : []), '--data-dir', dataDir]);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout.trim();
}

describe('cloud push receivers of vigil serve', () => {
  const dataDir = tempDir();
  let server: RunningServer;
  let eksToken: string;
  let anyCluster: string;
  let viewer: string;

  beforeAll(async () => {
    eksToken = await token(dataDir, 'ingest', 'prod-eu');
    anyCluster = await token(dataDir, 'ingest');
    viewer = await token(dataDir, 'viewer');
    // Without rules no absence limit applies: sources are listed as unwatched.
    server = await startServer(['--data-dir', dataDir, '--rules', 'none']);
  });
  afterAll(async () => server?.kill());

  const firehose = (path: string, body: string | Buffer, headers: Record<string, string>) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-amz-firehose-protocol-version': '1.0', 'x-amz-firehose-request-id': 'ed4acda5-034f-9f42-bba1-f29aea6d7d8f', ...headers },
      body,
    });
  const pubsub = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const sources = async (): Promise<Json[]> => (await (await fetch(`${server.url}/api/v1/sources`, { headers: { authorization: `Bearer ${viewer}` } })).json()) as Json[];
  const count = (reports: Json[], source: string) => reports.filter((r) => r.source === source).reduce((sum, r) => sum + r.count, 0);

  it('Firehose: takes the access-key header, answers {requestId, timestamp}, and stores a retried request once', async () => {
    const first = await firehose('/api/v1/ingest/firehose', firehoseBody, { 'x-amz-firehose-access-key': eksToken });
    expect(first.status).toBe(200);
    const answer = (await first.json()) as Json;
    expect(answer).toEqual({ requestId: 'ed4acda5-034f-9f42-bba1-f29aea6d7d8f', timestamp: expect.any(Number) });
    expect(count(await sources(), 'cloud.eks')).toBe(4);
    const retry = await firehose('/api/v1/ingest/firehose', gzipSync(firehoseBody), { 'x-amz-firehose-access-key': eksToken, 'content-encoding': 'gzip' });
    expect(retry.status).toBe(200);
    expect(count(await sources(), 'cloud.eks')).toBe(4);
  });

  it('Firehose: refuses in its own error format — bad key, foreign cluster, unnamed cluster, a body that is no Firehose request', async () => {
    const refusals: Array<[Response, number]> = [
      [await firehose('/api/v1/ingest/firehose', firehoseBody, { 'x-amz-firehose-access-key': 'vgl_wrong' }), 401],
      [await firehose('/api/v1/ingest/firehose', firehoseBody, {}), 401],
      [await firehose('/api/v1/ingest/firehose/other', firehoseBody, { 'x-amz-firehose-access-key': eksToken }), 403],
      [await firehose('/api/v1/ingest/firehose', firehoseBody, { authorization: `Bearer ${anyCluster}` }), 400],
      [await firehose('/api/v1/ingest/firehose/prod-eu', '{"records": "x"}', { authorization: `Bearer ${anyCluster}` }), 400],
    ];
    for (const [response, status] of refusals) {
      expect(response.status).toBe(status);
      expect(await response.json()).toEqual({ requestId: 'ed4acda5-034f-9f42-bba1-f29aea6d7d8f', timestamp: expect.any(Number), errorMessage: expect.any(String) });
    }
  });

  it('Pub/Sub: takes the token from the push URL, stores a redelivered message once and quarantines an unreadable one', async () => {
    const path = `/api/v1/ingest/pubsub/shop-prod?token=${anyCluster}`;
    expect(await (await pubsub(path, pushes[0])).json()).toEqual({ accepted: 1, duplicates: 0, quarantined: 0 });
    expect(await (await pubsub(path, pushes[0])).json()).toEqual({ accepted: 0, duplicates: 1, quarantined: 0 });
    const unreadable = JSON.stringify({ message: { data: Buffer.from('not a log entry').toString('base64'), messageId: '7' }, subscription: 'projects/p/subscriptions/s' });
    const answer = await pubsub(path, unreadable);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ accepted: 0, duplicates: 0, quarantined: 1 });
    expect(await (await pubsub('/api/v1/ingest/pubsub/shop-prod', pushes[1], { authorization: `Bearer ${anyCluster}` })).json()).toEqual({ accepted: 1, duplicates: 0, quarantined: 0 });
    expect((await pubsub('/api/v1/ingest/pubsub/shop-prod', pushes[1])).status).toBe(401);
    expect((await pubsub('/api/v1/ingest/pubsub/shop-prod?token=vgl_wrong', pushes[1])).status).toBe(401);
    const reports = await sources();
    expect(reports.find((r) => r.source === 'cloud.gke' && r.cluster === 'shop-prod')).toMatchObject({ origin: '', count: 2, quarantined: 0, status: 'unwatched' });
    // A record that could not be read has no cluster or origin of its own: it counts under its source.
    expect(reports.find((r) => r.source === 'cloud.gke' && r.cluster === '')).toMatchObject({ count: 0, quarantined: 1, status: 'no events', lastError: expect.stringMatching(/not JSON/) });
  });

  it('keeps the push token out of the server log and the quarantine', async () => {
    expect(server.output()).not.toContain(anyCluster);
    expect(server.output()).not.toContain(eksToken);
    const quarantine = await vigil(['ingest', '--show-quarantine', '--data-dir', dataDir]);
    expect(quarantine.stdout).toMatch(/POST \/api\/v1\/ingest\/pubsub\/shop-prod \(request/);
    expect(quarantine.stdout).not.toContain(anyCluster);
  });

  it('shows source health to viewers and above, not to ingest tokens', async () => {
    expect((await fetch(`${server.url}/api/v1/sources`)).status).toBe(401);
    expect((await fetch(`${server.url}/api/v1/sources`, { headers: { authorization: `Bearer ${eksToken}` } })).status).toBe(403);
  });

  it('has a Firehose batch on disk once it answered 200, even if the server is killed right after', async () => {
    const payload = {
      messageType: 'DATA_MESSAGE',
      owner: '111122223333',
      logGroup: '/aws/eks/prod-eu/cluster',
      logStream: 'authenticator-ffff',
      subscriptionFilters: ['vigil'],
      logEvents: Array.from({ length: 50 }, (_, i) => ({ id: `kill-${i}`, timestamp: 1772449000000 + i, message: `time="2026-03-02T11:00:00Z" level=info msg="access granted" username=u${i}` })),
    };
    const body = JSON.stringify({ requestId: 'r-kill', timestamp: 1, records: [{ data: gzipSync(JSON.stringify(payload)).toString('base64') }] });
    expect((await firehose('/api/v1/ingest/firehose', body, { 'x-amz-firehose-access-key': eksToken })).status).toBe(200);
    await server.kill();
    const stored = await vigil(['query', 'host.name="authenticator-ffff" | stats count()', '-o', 'json', '--data-dir', dataDir]);
    expect((JSON.parse(stored.stdout) as Json[])[0]['count()']).toBe(50);
  });
});
