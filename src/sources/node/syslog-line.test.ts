import { describe, expect, it } from 'vitest';
import { parseSyslogLine } from './syslog-line.js';

const NOW = Date.parse('2026-03-01T00:00:00Z');

describe('parseSyslogLine', () => {
  it('reads an RFC 3164 line, placing it in the past year when the date is ahead', () => {
    expect(parseSyslogLine('Jan  5 10:00:01 node-1 sshd[42]: hello', NOW)).toEqual({
      timestamp: Date.parse('2026-01-05T10:00:01Z'),
      time: 'Jan  5 10:00:01',
      host: 'node-1',
      program: 'sshd',
      pid: '42',
      message: 'hello',
      priority: undefined,
    });
    expect(parseSyslogLine('Dec 31 23:59:59 node-1 CRON[7]: x', NOW)?.timestamp).toBe(Date.parse('2025-12-31T23:59:59Z'));
    expect(parseSyslogLine('<86>Mar  1 00:00:00 n kernel: y', NOW)).toMatchObject({ priority: 86, program: 'kernel', pid: undefined });
  });

  it('reads rsyslog RFC 3339 lines and RFC 5424', () => {
    expect(parseSyslogLine('2026-01-12T09:30:00.123456+01:00 node-2 sudo:    alice : TTY=pts/0', NOW)).toMatchObject({
      timestamp: Date.parse('2026-01-12T08:30:00.123Z'),
      host: 'node-2',
      program: 'sudo',
      message: '   alice : TTY=pts/0',
    });
    expect(parseSyslogLine('<38>1 2026-01-12T09:31:00.000Z node-3 sshd 1201 - - Accepted password', NOW)).toMatchObject({ host: 'node-3', program: 'sshd', pid: '1201', priority: 38, message: 'Accepted password' });
    expect(parseSyslogLine('<38>1 2026-01-12T09:31:00Z h - - ID47 [exampleSDID@32473 iut="3"] msg', NOW)).toMatchObject({ program: undefined, message: 'msg' });
  });

  it('rejects what is not syslog', () => {
    expect(parseSyslogLine('192.168.1.1 - - [12/Jan/2026:09:00:00 +0000] "GET / HTTP/1.1" 200 1', NOW)).toBeUndefined();
    expect(parseSyslogLine('{"MESSAGE":"x"}', NOW)).toBeUndefined();
  });
});
