import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, tempDir, vigil } from './helpers/cli.js';
import { ELASTIC_AUDIT, falcoTraceFiles, objectsIn } from './helpers/fixtures.js';

// any: documents are free-form JSON read back from the CLI; the assertions check their shape.
type Json = Record<string, any>;

const isAuditEvent = (value: Json) => value.kind === 'Event' && typeof value.auditID === 'string';

async function queryAll(dataDir: string, query: string): Promise<Json[]> {
  const result = await vigil(['query', query, '-o', 'ndjson', '--data-dir', dataDir]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Json);
}

describe('ingesting the Falco audit trace files', () => {
  const dataDir = tempDir();
  const expected = falcoTraceFiles().flatMap(objectsIn).filter(isAuditEvent);
  let ingest: CliResult;

  beforeAll(async () => {
    ingest = await vigil(['ingest', '--cluster', 'falco', '--data-dir', dataDir, ...falcoTraceFiles()]);
  });

  it('stores every audit event and quarantines only the record that is not one', async () => {
    expect(expected.length).toBeGreaterThan(40);
    expect(ingest.stderr).toContain(`accepted ${expected.length}, duplicates 0, quarantined 1`);
    expect(ingest.code).toBe(1);
    const quarantine = await vigil(['ingest', '--show-quarantine', '--data-dir', dataDir]);
    expect(quarantine.stdout).toMatch(/fal_01_003\.json:1: not a record of any known source/);
    const namedDir = tempDir();
    const named = await vigil(['ingest', '--source', 'k8s-audit', '--data-dir', namedDir, falcoTraceFiles().find((f) => f.endsWith('fal_01_003.json')) as string]);
    expect(named.code).toBe(1);
    const namedQuarantine = await vigil(['ingest', '--show-quarantine', '--data-dir', namedDir]);
    expect(namedQuarantine.stdout).toMatch(/fal_01_003\.json:1: not a Kubernetes audit Event: "kind" is 0/);
  });

  it('gives every event back field by field', async () => {
    const documents = await queryAll(dataDir, 'cluster=falco | head 1000');
    expect(documents).toHaveLength(expected.length);
    for (const original of expected) {
      const match = documents.filter((d) => d.vigil.original.auditID === original.auditID && d.user?.name === original.user.username);
      const document = match.find((d) => JSON.stringify(d.vigil.original) === JSON.stringify(original));
      expect(document, `event ${original.auditID} by ${original.user.username}`).toBeDefined();
      expect(document).toMatchObject({
        event: { action: original.verb },
        orchestrator: { cluster: { name: 'falco' } },
        vigil: { source: 'k8s.audit', k8s: { audit_id: original.auditID, stage: original.stage } },
      });
      expect(document?.orchestrator.resource?.type).toBe(original.objectRef?.resource);
      expect(document?.orchestrator.namespace).toBe(original.objectRef?.namespace);
      expect(document?.http?.response?.status_code).toBe(original.responseStatus?.code);
      expect(document?.source?.ip).toBe(original.sourceIPs?.[0]);
    }
  });

  it('answers the README example query with exactly the matching events', async () => {
    const oracle = expected.filter((e) => e.user.username === 'admin' && e.verb === 'create');
    expect(oracle.length).toBeGreaterThan(0);
    const documents = await queryAll(dataDir, 'user.name="admin" event.action=create | head 1000');
    expect(documents.map((d) => d.vigil.original).sort(byAuditId)).toEqual(oracle.sort(byAuditId));
  });

  it('deduplicates a second ingest of the same records, also gzipped from stdin', async () => {
    const all = falcoTraceFiles().map((file) => objectsIn(file).map((o) => JSON.stringify(o)).join('\n')).join('\n');
    const again = await vigil(['ingest', '--cluster', 'falco', '--data-dir', dataDir, '-'], { stdin: gzipSync(all) });
    expect(again.stderr).toContain(`accepted 0, duplicates ${expected.length}, quarantined 1`);
  });
});

describe('ingesting the Elastic audit sample', () => {
  it('stores the native audit events, drops the byte-identical retry and quarantines the cloud envelopes with reasons', async () => {
    const dataDir = tempDir();
    const result = await vigil(['ingest', '--source', 'k8s-audit', '--cluster', 'elastic', '--data-dir', dataDir, ELASTIC_AUDIT]);
    expect(result.stderr).toContain('accepted 2, duplicates 1, quarantined 2');
    expect(result.code).toBe(1);
    const documents = await queryAll(dataDir, 'cluster=elastic');
    expect(documents.map((d) => d.user.name).sort()).toEqual(['system:serviceaccount:kube-system:elastic-agent', 'system:serviceaccounts:default:default']);
    const quarantine = await vigil(['ingest', '--show-quarantine', '--data-dir', dataDir]);
    expect(quarantine.stdout).toMatch(/test-audit\.log:4: not a Kubernetes audit Event/);
    expect(quarantine.stdout).toMatch(/test-audit\.log:5: not a Kubernetes audit Event/);
  });
});

describe('bad input', () => {
  it('quarantines malformed, oversized, non-UTF-8 and non-audit records and keeps their neighbours', async () => {
    const dataDir = tempDir();
    const good = (id: string) => JSON.stringify({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', auditID: id, stage: 'ResponseComplete', verb: 'get', user: { username: 'u' }, requestReceivedTimestamp: '2026-01-01T00:00:00Z' });
    const file = join(dataDir, 'mixed.log');
    writeFileSync(
      file,
      Buffer.concat([
        Buffer.from(`${good('a')}\n{"kind":"Event",\n${good('b')}\n${'x'.repeat(3000)}\n`),
        Buffer.from([0xff, 0xfe, 0x0a]),
        Buffer.from(`{"kind":"Pod"}\n[1,2]\n${good('c')}\n`),
      ]),
    );
    const result = await vigil(['ingest', '--cluster', 'c', '--max-record-bytes', '2000', '--data-dir', dataDir, file]);
    expect(result.stderr).toContain('accepted 3, duplicates 0, quarantined 5');
    expect(result.code).toBe(1);
    const quarantine = (await vigil(['ingest', '--show-quarantine', '--data-dir', dataDir])).stdout;
    expect(quarantine).toMatch(/mixed\.log:2: malformed JSON/);
    expect(quarantine).toMatch(/mixed\.log:4: record of 3000 bytes exceeds the limit/);
    expect(quarantine).toMatch(/mixed\.log:5: invalid UTF-8/);
    expect(quarantine).toMatch(/mixed\.log:6: not a record of any known source/);
    expect(quarantine).toMatch(/mixed\.log:7: not a record of any known source/);
  });

  it('exits 2 with a hint on usage errors', async () => {
    const dataDir = tempDir();
    const noPath = await vigil(['ingest', '--data-dir', dataDir]);
    expect(noPath.code).toBe(2);
    expect(noPath.stderr).toMatch(/needs at least one path/);
    const badQuery = await vigil(['query', 'user.name=', '--data-dir', dataDir]);
    expect(badQuery.code).toBe(2);
    expect(badQuery.stderr).toMatch(/query error/);
    const missing = await vigil(['ingest', '--data-dir', dataDir, join(dataDir, 'nope.log')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read input .*nope\.log.*ENOENT/);
  });
});

describe('a mistyped --data-dir', () => {
  it('is refused by commands that only read, and not created', async () => {
    const missing = join(tempDir(), 'no-such-store');
    for (const args of [['query', 'user=alice'], ['alerts', 'list'], ['sources']]) {
      const result = await vigil([...args, '--data-dir', missing]);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr).toContain(`no Vigil store in ${missing}`);
    }
    expect(existsSync(missing)).toBe(false);
  });
});

function byAuditId(a: Json, b: Json): number {
  return `${a.auditID}${a.user.username}`.localeCompare(`${b.auditID}${b.user.username}`);
}
