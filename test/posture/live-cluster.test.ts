import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinRulesDir, loadRules } from '../../src/detect/loader.js';
import type { CompiledRule } from '../../src/detect/rule.js';
import { assessPosture } from '../../src/posture/assess.js';
import type { Finding } from '../../src/posture/findings.js';
import { REPO_ROOT } from '../helpers/cli.js';

/**
 * No kube-apiserver can run here: a local HTTP server on 127.0.0.1 replays Kubernetes API list
 * responses in their documented shape (test/fixtures/posture/cluster/) and stands in for the
 * audit receiver's /healthz.
 */

const CLUSTER = join(REPO_ROOT, 'test', 'fixtures', 'posture', 'cluster');
const TOKEN = 'posture-test-token';

interface Seen {
  method: string;
  url: string;
  authorization?: string;
}

function replayServer(routes: Record<string, string>): Promise<{ server: Server; url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((request, response) => {
    seen.push({ method: request.method ?? '', url: request.url ?? '', authorization: request.headers.authorization });
    const body = routes[request.url ?? ''];
    if (body === undefined) {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }));
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen })));
}

const fixture = (name: string): string => readFileSync(join(CLUSTER, name), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'vigil-posture-live-'));

/** client-node refuses plain http unless TLS verification is off; the replay server speaks http. */
function kubeconfigFor(server: string, name: string): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    `apiVersion: v1
kind: Config
clusters: [{name: test, cluster: {server: "${server}", insecure-skip-tls-verify: true}}]
users: [{name: reader, user: {token: ${TOKEN}}}]
contexts: [{name: test, context: {cluster: test, user: reader}}]
current-context: test
`,
  );
  return path;
}

let rules: CompiledRule[];
let api: Awaited<ReturnType<typeof replayServer>>;
let closedUrl: string;

beforeAll(async () => {
  rules = loadRules(builtinRulesDir(), 'builtin');
  api = await replayServer({
    '/api/v1/nodes': fixture('nodes.json'),
    '/apis/apps/v1/daemonsets': fixture('daemonsets.json'),
    '/api/v1/namespaces/logging/pods?labelSelector=app.kubernetes.io%2Fname%3Dfluent-bit': fixture('pods-logging.json'),
    '/healthz': 'ok',
  });
  const closed = await replayServer({});
  closedUrl = closed.url;
  await new Promise((resolve) => closed.server.close(resolve));
});

afterAll(() => new Promise((resolve) => api.server.close(resolve)));

const brief = (findings: readonly Finding[]): string[] => findings.map((finding) => `${finding.severity} ${finding.id}${finding.subject === undefined ? '' : ` ${finding.subject}`}`);

describe('vigil posture --kubeconfig against a replayed API', () => {
  it('finds the nodes a log collector misses or is not ready on, reading only', async () => {
    const kubeconfig = kubeconfigFor(api.url, 'cluster.yaml');
    const report = await assessPosture({ kubeconfig, rules });
    expect(brief(report.findings)).toEqual(['high collector-missing-on-nodes logging/fluent-bit', 'medium collector-not-ready logging/fluent-bit']);
    const [missing, notReady] = report.findings;
    expect(missing.title).toBe('Log collector logging/fluent-bit does not run on 2 of 4 node(s)');
    expect(missing.evidence).toEqual([
      'cp-1: no fluent-bit pod (node is tainted; the DaemonSet may lack a toleration)',
      'worker-3: no fluent-bit pod',
      'DaemonSet status: 1 ready of 2 desired',
    ]);
    expect(notReady.evidence).toEqual(['worker-2: fluent-bit pod is not Ready']);
    expect(report.cluster).toEqual({ server: api.url, nodes: 4, collectors: [{ name: 'logging/fluent-bit', desired: 2, ready: 1 }] });
    expect(api.seen.every((request) => request.method === 'GET' && request.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  it('finds no collector at all when only kube-proxy runs as a DaemonSet', async () => {
    const onlyProxy = JSON.parse(fixture('daemonsets.json')) as { items: Array<{ metadata: { name: string } }> };
    onlyProxy.items = onlyProxy.items.filter((item) => item.metadata.name === 'kube-proxy');
    const bare = await replayServer({ '/api/v1/nodes': fixture('nodes.json'), '/apis/apps/v1/daemonsets': JSON.stringify(onlyProxy) });
    try {
      const report = await assessPosture({ kubeconfig: kubeconfigFor(bare.url, 'bare.yaml'), rules });
      expect(brief(report.findings)).toEqual(['high collector-absent']);
    } finally {
      await new Promise((resolve) => bare.server.close(resolve));
    }
  });

  it('probes the receiver named in the webhook kubeconfig with one GET /healthz', async () => {
    const webhook = join(dir, 'webhook.yaml');
    writeFileSync(webhook, `clusters: [{name: v, cluster: {server: "${api.url}/api/v1/ingest/k8s-audit"}}]\nusers: [{name: a, user: {token: t0k3n-for-tests}}]\ncontexts: [{name: c, context: {cluster: v, user: a}}]\ncurrent-context: c\n`);
    const before = api.seen.length;
    const report = await assessPosture({ kubeconfig: kubeconfigFor(api.url, 'cluster2.yaml'), webhookConfig: webhook, rules });
    expect(brief(report.findings)).not.toContain('high receiver-unreachable');
    expect(brief(report.findings)).toContain('high webhook-plaintext');
    expect(api.seen.slice(before).filter((request) => request.url === '/healthz').map((request) => request.method)).toEqual(['GET']);
  });

  it('reports an unreachable cluster and receiver as findings, not crashes', async () => {
    const webhook = join(dir, 'webhook-down.yaml');
    writeFileSync(webhook, `clusters: [{name: v, cluster: {server: "${closedUrl}/api/v1/ingest/k8s-audit"}}]\nusers: [{name: a, user: {token: t0k3n-for-tests}}]\ncontexts: [{name: c, context: {cluster: v, user: a}}]\ncurrent-context: c\n`);
    const report = await assessPosture({ kubeconfig: kubeconfigFor(closedUrl, 'down.yaml'), webhookConfig: webhook, rules });
    expect(brief(report.findings)).toEqual(['high cluster-unreachable', 'high receiver-unreachable', 'high webhook-plaintext']);
    expect(report.findings[1].evidence[0]).toMatch(new RegExp(`^GET ${closedUrl}/healthz: ECONNREFUSED`));
  });
});
