import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tetragonSource } from './tetragon.js';

const lines = readFileSync(new URL('../../test/fixtures/tetragon/events.json', import.meta.url), 'utf8').split('\n').filter(Boolean);
const context = { cluster: 'prod-eu' };
const decode = (text: string) => tetragonSource.decode(JSON.parse(text), text, context);

describe('tetragon source', () => {
  it('normalizes process_exec: process, pod, container and node', () => {
    const { events, rejections } = decode(lines[0]);
    expect(rejections).toEqual([]);
    expect(events[0]).toMatchObject({
      source: 'runtime.tetragon',
      category: 'process',
      action: 'exec',
      namespace: 'payments',
      podName: 'api-7d9c-x2x',
      containerId: 'containerd://5e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7',
      hostName: 'worker-1',
      message: 'exec /bin/sh in payments/api-7d9c-x2x',
      timestamp: Date.parse('2026-03-02T10:40:00.100Z'),
    });
    expect(events[0].record).toBe(lines[0]);
  });

  it('names the hook of kprobe events and keeps their arguments addressable', () => {
    const [event] = decode(lines[2]).events;
    expect(event).toMatchObject({ action: 'kprobe', message: 'kprobe security_file_permission by /bin/cat /etc/shadow in payments/api-7d9c-x2x' });
    expect(event.raw).toMatchObject({ process_kprobe: { args: [{ file_arg: { path: '/etc/shadow' } }, { int_arg: 4 }] } });
    expect(decode(lines[3]).events[0].action).toBe('exit');
  });

  it('gives the exec and the kprobe of one process different identities', () => {
    const ids = lines.map((line) => decode(line).events[0].dedupKey);
    expect(new Set(ids).size).toBe(lines.length);
  });

  it('recognises one event kind per line only, and quarantines an unreadable time', () => {
    expect(tetragonSource.recognises({ process_exec: {}, process_exit: {}, time: '2026-03-02T10:00:00Z' })).toBe(false);
    expect(tetragonSource.recognises({ process_exec: {} })).toBe(false);
    expect(tetragonSource.recognises({ flow: {}, time: '2026-03-02T10:00:00Z' })).toBe(false);
    expect(decode('{"process_exec":{"process":{}},"node_name":"n"}').rejections[0].reason).toBe('Tetragon event whose "time" is not an RFC 3339 time');
  });
});
