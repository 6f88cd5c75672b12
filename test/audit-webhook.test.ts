import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, vigil } from './helpers/cli.js';
import { falcoTraceFiles, objectsIn } from './helpers/fixtures.js';
import { type RunningServer, startServer } from './helpers/server.js';

const events = falcoTraceFiles()
  .flatMap(objectsIn)
  .filter((event) => event.kind === 'Event')
  .slice(0, 20);
const eventList = (items: unknown[]) => JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items });

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.kill();
  server = undefined;
});

async function ingestToken(dataDir: string, cluster?: string): Promise<string> {
  const result = await vigil(['tokens', 'create', '--name', 'apiserver', '--role', 'ingest', ...(cluster ? ['--cluster', cluster] : []), '--data-dir', dataDir]);
  expect(result.code).toBe(0);
  return result.stdout.trim();
}

function post(path: string, body: string, token?: string): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  return fetch(`${server?.url}${path}`, { method: 'POST', headers, body });
}

async function countStored(dataDir: string, cluster: string): Promise<number> {
  const result = await vigil(['query', `cluster=${cluster} | stats count()`, '-o', 'json', '--data-dir', dataDir]);
  expect(result.code).toBe(0);
  return (JSON.parse(result.stdout) as Array<Record<string, number>>)[0]['count()'];
}

describe('kube-apiserver audit webhook receiver', () => {
  it('has the batch on disk once it answered 2xx, even if the server is killed right after', async () => {
    const dataDir = tempDir();
    const token = await ingestToken(dataDir, 'kind-1');
    server = await startServer(['--data-dir', dataDir]);
    const response = await post('/api/v1/ingest/k8s-audit', eventList(events), token);
    expect(response.status).toBe(200);
    await server.kill();
    expect(await countStored(dataDir, 'kind-1')).toBe(new Set(events.map((e) => `${e.auditID}/${e.stage}/${JSON.stringify(e)}`)).size);
  });

  it('deduplicates a retried batch and quarantines one bad item without losing the others', async () => {
    const dataDir = tempDir();
    const token = await ingestToken(dataDir);
    server = await startServer(['--data-dir', dataDir]);
    const batch = eventList([events[0], { kind: 'Event', note: 'no auditID' }, events[1]]);
    const first = await post('/api/v1/ingest/k8s-audit/prod', batch, token);
    expect(await first.json()).toEqual({ accepted: 2, duplicates: 0, quarantined: 1 });
    const retry = await post('/api/v1/ingest/k8s-audit/prod', batch, token);
    expect(await retry.json()).toEqual({ accepted: 0, duplicates: 2, quarantined: 1 });
  });

  it('refuses missing or wrong tokens, a foreign cluster, an unnamed cluster and an oversized body', async () => {
    const dataDir = tempDir();
    const bound = await ingestToken(dataDir, 'kind-1');
    const unbound = await ingestToken(dataDir);
    server = await startServer(['--data-dir', dataDir, '--body-limit', '100000']);
    const batch = eventList(events.slice(0, 2));
    expect((await post('/api/v1/ingest/k8s-audit', batch)).status).toBe(401);
    expect((await post('/api/v1/ingest/k8s-audit', batch, 'vgl_wrong')).status).toBe(401);
    expect((await post('/api/v1/ingest/k8s-audit/other', batch, bound)).status).toBe(403);
    expect((await post('/api/v1/ingest/k8s-audit', batch, unbound)).status).toBe(400);
    expect((await post('/api/v1/ingest/k8s-audit', eventList(Array(200).fill(events[0])), bound)).status).toBe(413);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    expect(server.output()).not.toContain(bound);
  });

  it('answers 429 with Retry-After while overloaded, and keeps its probes up', async () => {
    const dataDir = tempDir();
    const token = await ingestToken(dataDir, 'kind-1');
    server = await startServer(['--data-dir', dataDir, '--max-heap-bytes', '1']);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const response = await post('/api/v1/ingest/k8s-audit', eventList(events.slice(0, 1)), token);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('1');
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
