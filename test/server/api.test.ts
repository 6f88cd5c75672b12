import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyProofBundle } from '../../src/ledger/offline-verify.js';
import { openDatabase } from '../../src/store/sqlite/database.js';
import { call, createToken, demoDataDir, eventually } from '../helpers/api.js';
import { vigil } from '../helpers/cli.js';
import { type RunningServer, startServer } from '../helpers/server.js';

/** The HTTP API over real HTTP, against `vigil serve` on a data directory holding the demo cluster. */

let server: RunningServer;
let dataDir: string;
let viewer: string;
let responder: string;

beforeAll(async () => {
  dataDir = await demoDataDir();
  viewer = createToken(dataDir, 'viewer').secret;
  responder = createToken(dataDir, 'responder').secret;
  server = await startServer(['--data-dir', dataDir]);
});

afterAll(async () => {
  await server?.kill();
});

const get = (path: string, token = viewer) => call(server.url, path, { token });
interface EventDocument {
  '@timestamp': string;
  event: { id: string; action: string };
  vigil: { seq: number; original: { verb: string } };
}
type Events = { shape: string; events: EventDocument[]; nextCursor?: string };

/** The count the store gives for a filter, as one `| stats count()` (the table shape of the events API). */
async function countOf(q: string): Promise<number> {
  const answer = await get(`/api/v1/events?q=${encodeURIComponent(`${q} | stats count() as n`)}`);
  return (answer.body as { rows: Array<{ n: number }> }).rows[0].n;
}

describe('events API', () => {
  it('pages through every matching event by cursor, newest first, without gaps or repeats', async () => {
    const q = 'verb=delete';
    const seen: string[] = [];
    const times: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const answer = await get(`/api/v1/events?q=${encodeURIComponent(q)}&limit=37${cursor ? `&cursor=${cursor}` : ''}`);
      expect(answer.status, answer.text).toBe(200);
      const page = answer.body as Events;
      expect(page.shape).toBe('events');
      for (const event of page.events) {
        seen.push(event.event.id);
        times.push(Date.parse(event['@timestamp']));
        expect(event.event.action).toBe('delete');
        expect(event.vigil.original.verb).toBe('delete');
      }
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBeGreaterThan(2);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(await countOf(q));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('answers a query with stages as a table, and a bad query or time with 400 naming the problem', async () => {
    const q = 'code=403 | stats count() as n by user.name | sort -n | head 3';
    const table = await get(`/api/v1/events?q=${encodeURIComponent(q)}`);
    expect(table.status).toBe(200);
    expect(table.body).toMatchObject({ shape: 'table', columns: ['user.name', 'n'] });
    const cli = await vigil(['query', q, '-o', 'json', '--data-dir', dataDir]);
    expect((table.body as { rows: unknown[] }).rows).toEqual(JSON.parse(cli.stdout));
    const bad = await get(`/api/v1/events?q=${encodeURIComponent('verb=(delete')}`);
    expect(bad.status).toBe(400);
    expect((bad.body as { error: string }).error).toMatch(/column/);
    const badTime = await get('/api/v1/events?since=yesterday-ish');
    expect(badTime.status).toBe(400);
    expect((badTime.body as { error: string }).error).toMatch(/^since: invalid time/);
    const badCursor = await get('/api/v1/events?cursor=bm90LWEtY3Vyc29y');
    expect(badCursor.status).toBe(400);
  });

  it('counts the matching events over time, bucket by bucket', async () => {
    const q = 'code=403';
    const answer = await get(`/api/v1/events/histogram?q=${encodeURIComponent(q)}&buckets=24`);
    expect(answer.status).toBe(200);
    const histogram = answer.body as { total: number; bucketMs: number; buckets: Array<{ start: string; count: number }> };
    expect(histogram.total).toBe(await countOf(q));
    expect(histogram.buckets.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(histogram.total);
    expect(histogram.buckets.length).toBeLessThanOrEqual(25);
    const starts = histogram.buckets.map((bucket) => Date.parse(bucket.start));
    starts.slice(1).forEach((start, index) => expect(start - starts[index]).toBe(histogram.bucketMs));
    const refused = await get(`/api/v1/events/histogram?q=${encodeURIComponent('* | head 3')}`);
    expect(refused.status).toBe(400);
  });

  it('lists the top values of fields, most frequent first, with counts that add up', async () => {
    const answer = await get(`/api/v1/events/facets?q=${encodeURIComponent('code=403')}&field=user.name&field=verb&size=50`);
    expect(answer.status).toBe(200);
    const facets = (answer.body as { facets: Array<{ field: string; values: Array<{ value: unknown; count: number }> }> }).facets;
    expect(facets.map((facet) => facet.field)).toEqual(['user.name', 'verb']);
    const total = await countOf('code=403');
    for (const facet of facets) {
      const counts = facet.values.map((value) => value.count);
      expect([...counts].sort((a, b) => b - a)).toEqual(counts);
      expect(counts.reduce((sum, count) => sum + count, 0)).toBe(total);
    }
    const refused = await get('/api/v1/events/facets?field=user.name%20or%20x');
    expect(refused.status).toBe(400);
  });

  it('lists the fields a query can name', async () => {
    const answer = await get('/api/v1/fields');
    expect(answer.body).toContainEqual({ name: 'user.name', aliases: ['user'], type: 'string' });
  });
});

describe('rules, integrity and posture API', () => {
  it('lists the rules with the alerts each raised on the demo cluster', async () => {
    const rules = (await get('/api/v1/rules')).body as Array<{ id: string; severity: string; techniques: string[]; hits: { alerts: number; open: number; detections: number } }>;
    const massDelete = rules.find((rule) => rule.id === 'k8s-mass-delete');
    expect(massDelete).toMatchObject({ severity: 'high', enabled: true, operator: 'threshold' });
    expect(massDelete?.hits.alerts).toBeGreaterThanOrEqual(1);
    expect(massDelete?.hits.detections).toBeGreaterThanOrEqual(massDelete?.hits.alerts ?? 0);
    const db = openDatabase(dataDir, { readonly: true });
    const raised = new Map((db.prepare('SELECT rule_id, count(*) FROM alerts GROUP BY rule_id').raw().all() as Array<[string, number]>));
    db.close();
    for (const rule of rules) expect(rule.hits.alerts, rule.id).toBe(raised.get(rule.id) ?? 0);
  });

  it('shows the signed checkpoint, proves an event against it offline, and verifies the store on request', async () => {
    const status = await eventually(async () => {
      const answer = (await get('/api/v1/integrity')).body as { checkpoint: { size: number } | null; ledgerSize: number; publicKey: string };
      return answer.checkpoint && answer.checkpoint.size === answer.ledgerSize ? answer : undefined;
    }, 'the first checkpoint');
    expect(status.ledgerSize).toBeGreaterThan(7000);
    const [event] = ((await get('/api/v1/events?q=verb=delete&limit=1')).body as Events).events;
    const proof = await get(`/api/v1/events/${event.event.id}/proof`);
    expect(proof.status, proof.text).toBe(200);
    expect(verifyProofBundle(proof.body, status.publicKey)).toMatchObject({ valid: true, leafIndex: event.vigil.seq });
    expect((await get('/api/v1/events/0000nosuchevent/proof')).status).toBe(404);

    const started = await call(server.url, '/api/v1/integrity/verify', { method: 'POST', token: responder });
    expect(started.status).toBe(202);
    const finished = await eventually(async () => {
      const verify = ((await get('/api/v1/integrity')).body as { verify: { state: string; intact?: boolean; requestedBy?: string } }).verify;
      return verify.state === 'done' || verify.state === 'failed' ? verify : undefined;
    }, 'the verification');
    expect(finished).toMatchObject({ state: 'done', intact: true, requestedBy: 'responder-test' });
  });

  it('reports posture from the data directory', async () => {
    const answer = await get('/api/v1/posture');
    expect(answer.status, answer.text).toBe(200);
    const report = (answer.body as { report: { inputs: { dataDir: string }; findings: unknown[] } }).report;
    expect(report.inputs.dataDir).toBe(dataDir);
    expect(Array.isArray(report.findings)).toBe(true);
  });
});

describe('OpenAPI document and metrics', () => {
  it('documents every API route with its parameters and the role it needs', async () => {
    const answer = await get('/api/v1/openapi.json');
    expect(answer.status).toBe(200);
    const document = answer.body as { openapi: string; security: unknown[]; paths: Record<string, Record<string, { parameters?: Array<{ name: string }>; security?: unknown[]; 'x-vigil-role'?: string }>> };
    expect(document.openapi).toBe('3.1.0');
    const events = document.paths['/api/v1/events'].get;
    expect(events.parameters?.map((parameter) => parameter.name)).toEqual(['q', 'since', 'until', 'cursor', 'limit']);
    expect(events['x-vigil-role']).toBe('viewer');
    expect(document.paths['/api/v1/integrity/verify'].post['x-vigil-role']).toBe('responder');
    expect(document.paths['/api/v1/events/{id}/proof'].get).toBeDefined();
    expect(document.paths['/api/v1/ingest/k8s-audit'].post['x-vigil-role']).toBe('ingest');
    expect(document.security).toEqual([{ bearer: [] }, { session: [] }]);
    const open = Object.entries(document.paths).flatMap(([path, operations]) => Object.values(operations).some((operation) => operation.security?.length === 0) ? [path] : []);
    expect(open.sort()).toEqual(['/api/v1/session', '/healthz', '/readyz']);
  });

  it('exports Prometheus metrics: ledger size, checkpoint age, alerts by state', async () => {
    const answer = await get('/metrics');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/plain/);
    const ledger = Number(/^vigil_ledger_records (\d+)$/m.exec(answer.text)?.[1]);
    expect(ledger).toBeGreaterThan(7000);
    expect(answer.text).toMatch(/^vigil_ledger_checkpoint_age_seconds [\d.e-]+$/m);
    expect(answer.text).toMatch(/^vigil_alerts\{state="open",severity="high"\} [1-9]\d*$/m);
    expect(answer.text).toMatch(/^process_resident_memory_bytes /m);
  });
});
