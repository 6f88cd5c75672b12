import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connectBus } from '../../src/bus/connection.js';
import { busPartitionCount } from '../../src/bus/partition-count.js';
import { STREAM_NAME } from '../../src/bus/subjects.js';
import { tempDir, vigil } from '../helpers/cli.js';
import { NATS_SERVER, type RunningNats, startNats } from '../helpers/nats.js';
import { freePorts } from '../../src/local-servers/free-ports.js';

const quiet = { info: () => {}, warn: () => {} };
const cleanup: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function nats(partitions: number): Promise<RunningNats> {
  const server = await startNats({ partitions });
  cleanup.push(() => server.stop());
  return server;
}

describe('the partition count the bus maps records to', () => {
  it('is read back from the nats-server mapping', async () => {
    for (const partitions of [4, 7]) {
      const server = await nats(partitions);
      const bus = await connectBus(server.url, 'count check', quiet);
      try {
        expect(await busPartitionCount(bus.nc, server.url)).toBe(partitions);
      } finally {
        await bus.close();
      }
    }
  });

  it('makes a worker given partitions beyond it refuse to start, before it creates any consumer', async () => {
    const server = await nats(4);
    const result = await vigil(['worker', '--bus', server.url, '--store', join(tempDir(), 'parts'), '--partitions', '0-7', '--rules', 'none']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--partitions names 4, 5, 6, 7, but the NATS server at .* spreads records over 4 partitions \(0-3\)/);
    const bus = await connectBus(server.url, 'consumer check', quiet);
    try {
      await expect(bus.jsm.streams.info(STREAM_NAME)).rejects.toThrow(/not found/);
    } finally {
      await bus.close();
    }
  });

  it('makes a worker refuse a nats-server whose config lacks the count line, showing the block to add', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-nats-old-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const [port] = await freePorts(1);
    const config = join(dir, 'nats.conf');
    // The mapping as it was written before the count line existed.
    writeFileSync(config, `listen: 127.0.0.1:${port}\njetstream { store_dir: "${join(dir, 'js')}" }\nmappings = {\n  "vigil.records.*": "vigil.part.{{partition(4,1)}}.{{wildcard(1)}}"\n}\n`);
    const child = spawn(NATS_SERVER, ['-c', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    cleanup.push(() => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', () => resolve()), child.kill('SIGTERM')))));
    await new Promise<void>((resolve) => {
      let seen = '';
      const onData = (chunk: Buffer) => ((seen += chunk.toString()), /Server is ready/.test(seen) && resolve());
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
    });
    const result = await vigil(['worker', '--bus', `nats://127.0.0.1:${port}`, '--store', join(tempDir(), 'parts'), '--partitions', '0-3', '--rules', 'none']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/does not state its partition count[\s\S]*"vigil\.partitions": "vigil\.partitions\.4"/);
  });
});
