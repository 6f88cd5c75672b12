import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openArchiveTarget } from '../../src/archive/target.js';
import { tempDir, vigil } from '../helpers/cli.js';
import { multiDayStore, ndjson, olderThanKeepingFrom13th } from './archive-fixture.js';

/** The S3 target against s3rver, a local S3-compatible server started on a free loopback port. */

const BUCKET = 'vigil-archive';
const credentials = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' };

describe('S3 archive target', () => {
  let server: S3rver;
  let endpoint: string;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: tempDir('vigil-s3rver-'), configureBuckets: [{ name: BUCKET, configs: [] }] });
    const address = (await server.run()) as { port: number };
    endpoint = `http://127.0.0.1:${address.port}`;
    Object.assign(process.env, credentials);
  });

  afterAll(async () => {
    await server?.close();
    process.env = savedEnv;
  });

  it('uploads a large object in parts and reads it back byte for byte', async () => {
    const target = openArchiveTarget(`s3://${BUCKET}/multipart`, { s3Endpoint: endpoint, partSizeBytes: 5 * 1024 * 1024 });
    const file = join(tempDir(), 'big.bin');
    const bytes = randomBytes(11 * 1024 * 1024 + 17);
    writeFileSync(file, bytes);
    await target.putFile('segments/big.bin', file);
    expect((await buffer(await target.read('segments/big.bin'))).equals(bytes)).toBe(true);
    const listed = [];
    for await (const object of target.list('segments/')) listed.push(object);
    expect(listed).toEqual([{ name: 'segments/big.bin', bytes: bytes.length }]);
    await expect(target.read('segments/none.bin')).rejects.toThrow(/missing from archive/);
  });

  it('archives to a bucket prefix, verifies offline, queries across and restores', async () => {
    const { dataDir, publicKey } = await multiDayStore(40);
    const env = { ...credentials, AWS_ENDPOINT_URL: endpoint };
    const target = `s3://${BUCKET}/prod/eu`;
    const before = await ndjson(['query', 'cluster=unit | head 1000', '-o', 'ndjson', '--data-dir', dataDir]);
    const moved = await vigil(['archive', '--older-than', olderThanKeepingFrom13th(), '--to', target, '--data-dir', dataDir], { env });
    expect(moved.stderr).toBe('');
    expect(moved.stdout).toMatch(/^archived 120 records of 3 days in 3 segments to s3:\/\/vigil-archive\/prod\/eu/);
    const verified = await vigil(['archive', 'verify', target, '--public-key', publicKey, '--s3-endpoint', endpoint, '-o', 'json'], { env: credentials });
    expect(JSON.parse(verified.stdout)).toMatchObject({ intact: true, events: 120, runs: 1 });
    const merged = await vigil(['query', 'cluster=unit | head 1000', '-o', 'ndjson', '--include-archive', '--data-dir', dataDir], { env });
    expect(merged.stdout.split('\n').filter(Boolean).length).toBe(before.length);
    const restored = await vigil(['archive', 'restore', '--from', target, '--since', '2026-01-10T00:00:00Z', '--data-dir', dataDir], { env });
    expect(restored.stdout).toMatch(/^restored 120 records of 3 segments/);
    const verify = await vigil(['verify', '--archives', '--data-dir', dataDir], { env });
    expect(verify.stdout).toMatch(/result: intact/);
    expect(verify.code).toBe(0);
  });

  it('expires old segments from a bucket prefix as a signed expiry, reported expired, not missing', async () => {
    const { dataDir, publicKey } = await multiDayStore(20);
    const env = { ...credentials, AWS_ENDPOINT_URL: endpoint };
    const target = `s3://${BUCKET}/expiry`;
    const hotDays = Number.parseInt(olderThanKeepingFrom13th(), 10);
    expect((await vigil(['archive', '--older-than', `${hotDays}d`, '--to', target, '--data-dir', dataDir], { env })).code).toBe(0);
    const expired = await vigil(['archive', 'expire', '--older-than', `${hotDays + 1}d`, '--from', target, '--data-dir', dataDir], { env });
    expect(expired.stderr).toBe('');
    expect(expired.stdout).toMatch(/^expired 40 archived records of 2 segments from s3:\/\/vigil-archive\/expiry; declared by the expiry record at seq \d+/);
    const left = [];
    for await (const object of openArchiveTarget(target, { s3Endpoint: endpoint }).list('segments/')) left.push(object.name);
    expect(left.every((name) => name.startsWith('segments/2026/01/12/'))).toBe(true);
    expect(left).toHaveLength(2);
    const offline = await vigil(['archive', 'verify', target, '--public-key', publicKey, '--s3-endpoint', endpoint, '-o', 'json'], { env: credentials });
    const report = JSON.parse(offline.stdout) as { intact: boolean; events: number; expired: Array<{ events: number }> };
    expect(report).toMatchObject({ intact: true, events: 20 });
    expect(report.expired).toHaveLength(2);
    const verify = await vigil(['verify', '--archives', '--data-dir', dataDir, '-o', 'json'], { env });
    const kinds = (JSON.parse(verify.stdout) as { ranges: Array<{ kind: string; from: number; to: number }> }).ranges.reduce<Record<string, number>>(
      (sum, r) => ({ ...sum, [r.kind]: (sum[r.kind] ?? 0) + r.to - r.from }),
      {},
    );
    expect(kinds).toMatchObject({ archived: 20, expired: 40 });
    expect(verify.code).toBe(0);
  });
});
