import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, tempDir, vigil } from '../helpers/cli.js';
import { ELASTIC_FILES, OWN, elasticFixtureFiles, ownFixtureFiles } from './fixture-files.js';

// any: documents are free-form JSON read back from the CLI; the assertions check their shape.
type Json = Record<string, any>;

const CLUSTER = 'fixtures';
const lines = (path: string) => readFileSync(path, 'utf8').split('\n').filter((line) => line.trim() !== '');
const iso = (text: string) => new Date(text).toISOString();

/**
 * Every fixture under ../shared/fixtures/elastic and every hand-written cloud and network sample,
 * ingested in one `vigil ingest --source auto` run and read back with `vigil query`.
 */
describe('vigil ingest --source auto over the cloud and network fixtures', () => {
  const dataDir = tempDir();
  let ingest: CliResult;
  let documents: Json[];
  const bySource = (source: string) => documents.filter((d) => d.vigil.source === source);

  beforeAll(async () => {
    ingest = await vigil(['ingest', '--source', 'auto', '--cluster', CLUSTER, '--rules', 'none', '--data-dir', dataDir, ...elasticFixtureFiles(), ...ownFixtureFiles()]);
    const query = await vigil(['query', `cluster=${CLUSTER} | head 1000`, '-o', 'ndjson', '--data-dir', dataDir]);
    expect(query.code, query.stderr).toBe(0);
    documents = query.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Json);
  });

  it('recognises every record: nothing quarantined; only re-deliveries of the same records are duplicates', () => {
    // Duplicates: the elastic audit sample repeats a line; the Firehose request carries the
    // subscription payloads again (4 events); the Pub/Sub pushes carry pushed-entries.json (2).
    expect(ingest.stderr).toMatch(/accepted 61, duplicates 7, quarantined 0/);
    expect(ingest.code).toBe(0);
    const counts = Object.fromEntries(['k8s.audit', 'cloud.eks', 'cloud.gke', 'cloud.aks', 'net.ingress', 'net.flow', 'runtime.tetragon'].map((s) => [s, bySource(s).length]));
    expect(counts).toEqual({ 'k8s.audit': 2, 'cloud.eks': 7, 'cloud.gke': 7, 'cloud.aks': 5, 'net.ingress': 31, 'net.flow': 5, 'runtime.tetragon': 4 });
  });

  it('stores the GKE LogEntry of the Elastic audit sample as a cloud.gke audit event', () => {
    const entry = JSON.parse(lines(ELASTIC_FILES.audit)[3]);
    const document = bySource('cloud.gke').find((d) => d.vigil.k8s.audit_id === '1234abcd');
    expect(document).toMatchObject({
      '@timestamp': '2025-07-13T08:38:39.127Z',
      event: { action: 'get', outcome: 'success', category: 'api' },
      user: { name: 'system:gke-master-healthcheck' },
      source: { ip: '67.43.156.1' },
      user_agent: { original: 'gke-master-healthcheck' },
      url: { original: '/readyz' },
      http: { response: { status_code: 200 } },
      orchestrator: { cluster: { name: CLUSTER } },
      vigil: { source: 'cloud.gke', actor: { kind: 'controller' }, k8s: { decision: 'allow', stage: 'ResponseComplete' } },
    });
    expect(document?.vigil.original).toEqual(entry);
  });

  it('stores the AKS kube-audit-admin record (properties.log an object) of the Elastic audit sample', () => {
    const record = JSON.parse(lines(ELASTIC_FILES.audit)[4]);
    const document = bySource('cloud.aks').find((d) => d['@timestamp'] === '2025-09-30T06:23:35.091Z');
    expect(document).toMatchObject({
      event: { action: 'update', outcome: 'success' },
      user: { name: 'aksService', group: { name: ['system:masters', 'system:authenticated'] } },
      source: { ip: '67.43.156.1' },
      orchestrator: { namespace: 'kube-system', resource: { type: 'leases', name: 'elastic-agent-cluster-test' } },
      http: { response: { status_code: 200 } },
      kubernetes: { pod: { name: 'kube-apiserver-1234567890' } },
      container: { id: 'aaaa1111' },
      vigil: { source: 'cloud.aks', actor: { kind: 'controller' }, k8s: { audit_id: 'abcde12345', stage: 'ResponseComplete', decision: 'allow', api_group: 'coordination.k8s.io' } },
    });
    expect(document?.vigil.original).toEqual(record);
  });

  it('stores the AKS kube-audit record (properties.log a JSON string)', () => {
    const record = JSON.parse(lines(ELASTIC_FILES.aks)[0]);
    const audit = JSON.parse(record.properties.log);
    const document = bySource('cloud.aks').find((d) => d.vigil.k8s?.audit_id === audit.auditID);
    expect(document).toMatchObject({
      '@timestamp': iso(audit.requestReceivedTimestamp),
      event: { action: audit.verb },
      user: { name: audit.user.username },
      source: { ip: audit.sourceIPs[0] },
      user_agent: { original: audit.userAgent },
      orchestrator: { namespace: audit.objectRef.namespace, resource: { type: audit.objectRef.resource, name: audit.objectRef.name } },
      url: { original: audit.requestURI },
      http: { response: { status_code: audit.responseStatus.code } },
      kubernetes: { pod: { name: record.properties.pod } },
      container: { id: record.properties.containerID },
      vigil: { source: 'cloud.aks', k8s: { stage: audit.stage, decision: 'allow' } },
    });
    expect(document?.vigil.original).toEqual(record);
  });

  it('stores the GKE anonymous HNAP1 probe as a refused, anonymous cloud.gke request', () => {
    const entry = JSON.parse(lines(ELASTIC_FILES.gke)[0]);
    const document = bySource('cloud.gke').find((d) => d.vigil.k8s.audit_id === 'k8s-nonmatch-0001');
    expect(document).toMatchObject({
      '@timestamp': '2021-04-23T14:47:07.535Z',
      event: { action: 'get', outcome: 'failure' },
      user: { name: 'system:anonymous' },
      source: { ip: '192.168.1.1' },
      user_agent: { original: 'Mozilla/5.0' },
      url: { original: '/HNAP1' },
      http: { response: { status_code: 403 } },
      vigil: { source: 'cloud.gke', actor: { kind: 'anonymous' }, k8s: { decision: 'forbid', stage: 'ResponseComplete' } },
    });
    expect(document?.orchestrator.resource).toBeUndefined();
    expect(document?.vigil.original).toEqual(entry);
  });

  it('stores every ingress-nginx line of the Elastic sample with its client, request, status and time', () => {
    // An oracle independent of the parser: the fields up to the user agent, read with one pattern.
    const pattern = /^(\S+) - (\S+) \[(\d\d)\/(\w{3})\/(\d{4}):([\d:]{8}) ([+-]\d{4})\] "([^"]*)" (\d{3}) \S+ "[^"]*" "([^"]*)"/;
    const sample = lines(ELASTIC_FILES.ingress);
    expect(sample).toHaveLength(24);
    for (const line of sample) {
      const [, ip, user, day, month, year, clock, zone, request, status, agent] = pattern.exec(line) ?? [];
      const [method, uri] = request.split(' ');
      const document = bySource('net.ingress').find((d) => d.vigil.original.line === line);
      expect(document, line).toBeDefined();
      expect(document?.['@timestamp']).toBe(iso(`${day} ${month} ${year} ${clock} ${zone}`));
      expect(document?.source.ip).toBe(ip);
      expect(document?.user?.name).toBe(user === '-' ? undefined : user);
      expect(document?.event.action).toBe(method);
      expect(document?.url.original).toBe(uri);
      expect(document?.http.response.status_code).toBe(Number(status));
      expect(document?.event.outcome).toBe(Number(status) < 400 ? 'success' : 'failure');
      expect(document?.user_agent?.original).toBe(agent === '-' ? undefined : agent);
      expect(document?.event.category).toBe('web');
    }
  });

  it('stores the hand-written EKS samples: audit, authenticator and API server lines', () => {
    const eks = bySource('cloud.eks');
    expect(eks.find((d) => d.vigil.k8s?.audit_id === '7d2c4b1a-9e8f-4a3b-8c2d-1e0f9a8b7c6d')).toMatchObject({
      user: { name: 'system:anonymous' },
      event: { action: 'list' },
      host: { name: 'kube-apiserver-audit-4a1b2c3d4e5f60718293a4b5c6d7e8f9' },
      vigil: { actor: { kind: 'anonymous' } },
    });
    const authentications = eks.filter((d) => d.event.category === 'authentication');
    const described = authentications.map((d) => `${d.event.action} ${d.event.outcome} ${d.user?.name}`).sort();
    expect(described).toEqual([
      'authenticate failure arn:aws:iam::444455556666:user/mallory',
      'authenticate failure undefined',
      'authenticate success kubernetes-admin',
      'undefined unknown undefined',
    ]);
    expect(eks.find((d) => d.log?.level === 'warning' && d.event.category === undefined)?.message).toMatch(/^Failed calling webhook/);
  });

  it('stores the hand-written GKE, AKS, Hubble, Tetragon and JSON ingress samples with their key fields', () => {
    const gke = bySource('cloud.gke').find((d) => d.vigil.k8s.audit_id === 'b1f2c3d4-0001');
    expect(gke).toMatchObject({ event: { action: 'create' }, orchestrator: { namespace: 'default', resource: { type: 'pods', name: 'debug-root' } }, http: { response: { status_code: 201 } } });
    expect(gke?.vigil.original).toEqual(JSON.parse(lines(OWN('gke', 'pushed-entries.json'))[0]));
    const guard = bySource('cloud.aks').find((d) => d.event.category === 'authentication');
    expect(guard).toMatchObject({ log: { level: 'error' }, kubernetes: { pod: { name: 'guard-5f6b7c8d9e-2mzt7' } } });
    const flows = bySource('net.flow');
    expect(flows.map((d) => d.event.action).sort()).toEqual(['dropped', 'dropped', 'forwarded', 'forwarded', 'lost-events']);
    expect(flows.find((d) => d.event.action === 'dropped' && d.host.name === 'prod-eu/worker-1')).toMatchObject({ source: { ip: '10.244.1.60' }, orchestrator: { namespace: 'default' }, kubernetes: { pod: { name: 'xwing' } } });
    const tetragon = bySource('runtime.tetragon');
    expect(tetragon.map((d) => d.event.action).sort()).toEqual(['exec', 'exec', 'exit', 'kprobe']);
    expect(tetragon[0]).toMatchObject({ host: { name: 'worker-1' }, orchestrator: { namespace: 'payments' }, kubernetes: { pod: { name: 'api-7d9c-x2x' } } });
    const json = bySource('net.ingress').find((d) => d.url?.original === '/admin/login');
    expect(json).toMatchObject({ source: { ip: '198.51.100.50' }, http: { response: { status_code: 401 } }, orchestrator: { namespace: 'shop', resource: { type: 'ingresses', name: 'admin' } } });
  });

  it('lists every source and origin seen in vigil sources, with counts that match the store', async () => {
    const result = await vigil(['sources', '-o', 'json', '--data-dir', dataDir]);
    expect(result.stderr).toBe('');
    const reports = JSON.parse(result.stdout) as Json[];
    const counted = new Map<string, number>();
    for (const report of reports) counted.set(report.source, (counted.get(report.source) ?? 0) + report.count);
    for (const source of counted.keys()) expect(counted.get(source), source).toBe(bySource(source).length);
    expect(reports.filter((r) => r.source === 'cloud.eks').map((r) => [r.origin, r.count])).toEqual([
      ['authenticator-4a1b2c3d4e5f60718293a4b5c6d7e8f9', 4],
      ['kube-apiserver-4a1b2c3d4e5f60718293a4b5c6d7e8f9', 1],
      ['kube-apiserver-audit-4a1b2c3d4e5f60718293a4b5c6d7e8f9', 2],
    ]);
    expect(reports.find((r) => r.source === 'runtime.tetragon')).toMatchObject({
      cluster: CLUSTER,
      origin: 'worker-1',
      firstSeen: '2026-03-02T10:40:00.100Z',
      lastSeen: '2026-03-02T10:42:00.020Z',
      status: 'ok',
      expectedWithinMs: 15 * 60_000,
      errors: 0,
      quarantined: 0,
      dropped: 0,
    });
    expect(result.code).toBe(0);
  });
});

describe('vigil ingest with a named cloud or network source', () => {
  it('reads that source only and says why a record of another kind is refused', async () => {
    const dataDir = tempDir();
    const result = await vigil(['ingest', '--source', 'hubble', '--rules', 'none', '--data-dir', dataDir, OWN('hubble', 'flows.json'), OWN('tetragon', 'events.json')]);
    expect(result.stderr).toMatch(/accepted 5, duplicates 0, quarantined 4/);
    const quarantine = await vigil(['ingest', '--show-quarantine', '--data-dir', dataDir]);
    expect(quarantine.stdout).toMatch(/events\.json:1: not a Hubble flow record/);
  });
});
