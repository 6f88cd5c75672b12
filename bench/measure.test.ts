import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describe as describeCommand, runMeasured } from './measure.js';

const scratch = mkdtempSync(join(tmpdir(), 'vigil-measure-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const node = (script: string) => [process.execPath, '-e', script];

describe('runMeasured', () => {
  it('captures stdout and reports the peak RSS of a child that holds memory', async () => {
    const run = await runMeasured({
      argv: node('const keep = Buffer.alloc(200 * 2 ** 20, 1); console.log(keep.length)'),
      stdout: 'capture',
      timeoutMs: 60_000,
    });
    expect(run.exitCode).toBe(0);
    expect(run.stdout.trim()).toBe(String(200 * 2 ** 20));
    expect(run.maxRssKiB).toBeGreaterThan(200 * 1024);
    expect(run.cpuSeconds).toBeGreaterThanOrEqual(0);
  });

  it('reports a failing command with its exit status and the end of its stderr', async () => {
    const run = await runMeasured({ argv: node('console.error("no such table: events"); process.exit(3)'), stdout: 'ignore', timeoutMs: 60_000 });
    expect(run.exitCode).toBe(3);
    expect(run.stderrTail).toContain('no such table: events');
  });

  it('writes stdout to a file when asked, as a shell redirection would', async () => {
    const file = join(scratch, 'out.ndjson');
    const run = await runMeasured({ argv: node('console.log("{}")'), stdout: { file }, timeoutMs: 60_000 });
    expect(run.exitCode).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe('{}\n');
  });

  it('kills a command that runs past its time limit and says so', async () => {
    const run = await runMeasured({ argv: node('setTimeout(() => {}, 60_000)'), stdout: 'ignore', timeoutMs: 300 });
    expect(run.timedOut).toBe(true);
    expect(run.exitCode).not.toBe(0);
  });

  it('reports a program that cannot be started', async () => {
    const run = await runMeasured({ argv: [join(scratch, 'no-such-program')], stdout: 'ignore', timeoutMs: 60_000 });
    expect(run.exitCode === 127 || run.startError !== undefined).toBe(true);
  });
});

describe('describe', () => {
  it('renders a command as a shell line, quoting what needs it', () => {
    expect(describeCommand([process.execPath, 'bin/vigil.js', 'query', "user.name=\"a\" | head 5", "it's"])).toBe(
      `node bin/vigil.js query 'user.name="a" | head 5' 'it'\\''s'`,
    );
  });
});
