import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Input } from './input.js';
import { type ReadBatch, readEvents } from './read.js';
import { findSource } from './registry.js';

const input = (name: string, text: string): Input => ({ name, open: async () => Readable.from([Buffer.from(text)]), bytesRead: () => 0 });

async function read(name: string, text: string, source?: string): Promise<ReadBatch> {
  const all: ReadBatch = { events: [], quarantined: [] };
  for await (const batch of readEvents([input(name, text)], { cluster: 'c1', source: source ? findSource(source) : undefined })) {
    all.events.push(...batch.events);
    all.quarantined.push(...batch.quarantined);
  }
  return all;
}

const CRI = '2026-01-12T09:00:00Z stdout P a\n2026-01-12T09:00:01Z stdout F b\n';
const AUTH = 'Jan 12 09:20:03 node-1 sshd[2101]: Failed password for root from 203.0.113.7 port 50022 ssh2\nnot syslog\n';

describe('reading inputs of text lines', () => {
  it('recognises CRI lines from the first line and joins partial lines across the input', async () => {
    const batch = await read('x.log', `\n${CRI}`);
    expect(batch.events.map((e) => [e.source, e.message])).toEqual([['container', 'ab']]);
  });

  it('recognises syslog lines and quarantines a line that is not one, at its line number', async () => {
    const batch = await read('auth.log', AUTH);
    expect(batch.events.map((e) => [e.source, e.action, e.outcome, e.userName])).toEqual([['node', 'ssh_login', 'failure', 'root']]);
    expect(batch.quarantined).toMatchObject([{ source: 'node', position: 'auth.log:2', reason: expect.stringMatching(/not a syslog line/) }]);
  });

  it('gives a named line source every non-JSON input, and its decoder says what is wrong', async () => {
    const batch = await read('odd.log', 'hello\n', 'syslog');
    expect(batch.quarantined).toMatchObject([{ position: 'odd.log:1', reason: expect.stringMatching(/not a syslog line/) }]);
  });

  it('reads docker json-file lines line by line with the container source, joining pieces', async () => {
    const lines = [{ log: 'one ', stream: 'stdout', time: '2026-01-12T09:00:00Z' }, { log: 'two\n', stream: 'stdout', time: '2026-01-12T09:00:01Z' }];
    const batch = await read('d.log', lines.map((l) => JSON.stringify(l)).join('\n'));
    expect(batch.events.map((e) => e.message)).toEqual(['one two']);
  });

  it('keeps JSON inputs on the JSON path: a non-JSON line among JSON lines is malformed JSON', async () => {
    const event = JSON.stringify({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', auditID: 'a', stage: 'ResponseComplete', verb: 'get', requestReceivedTimestamp: '2026-01-01T00:00:00Z' });
    const batch = await read('audit.log', `${event}\nJan 12 09:20:03 node-1 sshd[1]: x\n`);
    expect(batch.events.map((e) => e.source)).toEqual(['k8s.audit']);
    expect(batch.quarantined[0].reason).toMatch(/malformed JSON/);
  });

  it('quarantines an input that no source recognises as it did before', async () => {
    const batch = await read('junk.txt', 'just some words\n');
    expect(batch.quarantined).toMatchObject([{ source: 'auto', position: 'junk.txt:1', reason: 'unexpected text outside a JSON value' }]);
  });
});
