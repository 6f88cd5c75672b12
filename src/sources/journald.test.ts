import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { journaldSource } from './journald.js';
import { recogniseSource } from './registry.js';

const lines = readFileSync(new URL('../../test/fixtures/node/journal.json', import.meta.url), 'utf8').trim().split('\n');
const decodeLine = (line: string) => journaldSource.decode(JSON.parse(line), line, { cluster: 'c1' });

describe('journald source', () => {
  it('normalizes an sshd failure with host, level, user, address and outcome, keeping the entry verbatim', () => {
    const { events } = decodeLine(lines[0]);
    expect(events[0]).toMatchObject({
      source: 'node',
      timestamp: Math.floor(1768208460000001 / 1000),
      hostName: 'node-1',
      logLevel: 'info',
      category: 'authentication',
      action: 'ssh_login',
      outcome: 'failure',
      userName: 'root',
      sourceIp: '203.0.113.7',
      message: 'Failed password for root from 203.0.113.7 port 52144 ssh2',
    });
    expect(events[0].record).toBe(lines[0]);
    expect(events[0].dedupKey).toBe(JSON.parse(lines[0]).__CURSOR);
  });

  it('decodes a MESSAGE written as a byte array and maps PRIORITY 3 to err', () => {
    const [event] = decodeLine(lines[4]).events;
    expect(event.message).toBe('E0112 09:02:10 \u001b[31mfailed to pull image\u001b[0m "docker.io/library/nginx:latest"');
    expect(event.logLevel).toBe('err');
  });

  it('parses sudo through SYSLOG_IDENTIFIER and accepts a null MESSAGE', () => {
    expect(decodeLine(lines[3]).events[0]).toMatchObject({ action: 'sudo', outcome: 'success', userName: 'ops' });
    expect(decodeLine(lines[6]).events[0]).toMatchObject({ message: undefined, outcome: 'unknown' });
  });

  it('is recognised by its cursor and quarantines an entry without a time', () => {
    expect(recogniseSource(JSON.parse(lines[0]))).toBe(journaldSource);
    expect(recogniseSource({ MESSAGE: 'x' })).toBeUndefined();
    const broken = { __CURSOR: 's=1', MESSAGE: 'x' };
    expect(journaldSource.decode(broken, JSON.stringify(broken), { cluster: 'c' }).rejections[0].reason).toMatch(/__REALTIME_TIMESTAMP/);
  });
});
