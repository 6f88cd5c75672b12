import { describe, expect, it } from 'vitest';
import { containerLogSource } from './container-log.js';
import { identityOfPath } from './container/identity.js';
import { ContainerLineDecoder } from './container/line-decoder.js';
import { parseCriLine } from './container/log-line.js';
import type { Decoded, LineDecoder } from './source.js';

const ID = 'a'.repeat(64);
const FILE = `/var/log/containers/web-7d4b9_shop_app-server-${ID}.log`;

function decodeAll(decoder: LineDecoder, lines: readonly string[]): Decoded {
  const out: Decoded = { events: [], rejections: [] };
  lines.forEach((line, index) => {
    const decoded = decoder.decode(line, `f:${index + 1}`);
    out.events.push(...decoded.events);
    out.rejections.push(...decoded.rejections);
  });
  out.events.push(...decoder.end().events);
  return out;
}

const open = (origin = FILE) => containerLogSource.lines?.open({ cluster: 'c1', origin }) as LineDecoder;

describe('container log source', () => {
  it('reads pod, namespace, container and container id from the kubelet file names', () => {
    expect(identityOfPath(FILE)).toEqual({ pod: 'web-7d4b9', namespace: 'shop', container: 'app-server', containerId: ID });
    expect(identityOfPath('/var/log/pods/shop_web-7d4b9_5f1c-22aa/app/0.log')).toEqual({ namespace: 'shop', pod: 'web-7d4b9', podUid: '5f1c-22aa', container: 'app' });
    expect(identityOfPath('/var/log/pods/shop_web-7d4b9_5f1c-22aa/app/1.log.20260112-090000')).toMatchObject({ container: 'app' });
    expect(identityOfPath(`/var/lib/docker/containers/${ID}/${ID}-json.log`)).toEqual({ containerId: ID });
    expect(identityOfPath('/tmp/app.log')).toBeUndefined();
  });

  it('joins CRI partial lines per stream while the other stream interleaves', () => {
    const { events, rejections } = decodeAll(open(), [
      '2026-01-12T09:00:01.000000001Z stdout P first half, ',
      '2026-01-12T09:00:01.000000002Z stderr F an error',
      '2026-01-12T09:00:01.000000003Z stderr P err part 1 ',
      '2026-01-12T09:00:01.000000004Z stdout F second half',
      '2026-01-12T09:00:01.000000005+00:00 stderr F err part 2',
    ]);
    expect(rejections).toEqual([]);
    expect(events.map((e) => [e.raw.stream, e.message, e.raw.pieces])).toEqual([
      ['stderr', 'an error', undefined],
      ['stdout', 'first half, second half', 2],
      ['stderr', 'err part 1 err part 2', 2],
    ]);
    expect(events[1]).toMatchObject({ source: 'container', podName: 'web-7d4b9', namespace: 'shop', containerId: ID, timestamp: Date.parse('2026-01-12T09:00:01.000Z') });
    expect(events[1].raw).toMatchObject({ time: '2026-01-12T09:00:01.000000001Z', format: 'cri', kubernetes: { pod_name: 'web-7d4b9', namespace_name: 'shop', container_name: 'app-server', container_id: ID } });
    expect(JSON.parse(events[1].record)).toEqual(events[1].raw);
  });

  it('keeps the fields of a JSON application log and takes message and level from them', () => {
    const [event] = decodeAll(open(), ['2026-01-12T09:00:00Z stdout F {"level":"WARN","msg":"slow","ms":12}']).events;
    expect(event).toMatchObject({ message: 'slow', logLevel: 'warn' });
    expect(event.raw.json).toEqual({ level: 'WARN', msg: 'slow', ms: 12 });
    expect(event.raw.log).toBe('{"level":"WARN","msg":"slow","ms":12}');
    const [pino] = decodeAll(open(), ['2026-01-12T09:00:00Z stdout F {"level":50,"msg":"boom"}']).events;
    expect(pino.logLevel).toBe('error');
  });

  it('joins docker json-file pieces (no trailing newline) and keeps attrs', () => {
    const { events } = decodeAll(open(`/var/lib/docker/containers/${ID}/${ID}-json.log`), [
      JSON.stringify({ log: 'part one ', stream: 'stdout', time: '2026-01-12T09:00:00.1Z' }),
      JSON.stringify({ log: 'other\n', stream: 'stderr', time: '2026-01-12T09:00:00.2Z' }),
      JSON.stringify({ log: 'part two\n', stream: 'stdout', time: '2026-01-12T09:00:00.3Z', attrs: { tag: 'x' } }),
    ]);
    expect(events.map((e) => e.message)).toEqual(['other', 'part one part two']);
    expect(events[1]).toMatchObject({ containerId: ID, raw: { format: 'docker', pieces: 2 } });
  });

  it('cuts a joined line at the cap, counts the cut bytes, and never splits a character', () => {
    const decoder = new ContainerLineDecoder({ cluster: 'c1', maxLineBytes: 10 });
    const { events } = decodeAll(decoder, ['2026-01-12T09:00:00Z stdout P 12345678', '2026-01-12T09:00:00Z stdout F 9éé']);
    expect(events[0].message).toBe('123456789');
    expect(events[0].raw.truncated_bytes).toBe(4);
  });

  it('turns a partial line left at the end of input into an event marked unfinished', () => {
    const { events } = decodeAll(open(), ['2026-01-12T09:00:00Z stdout P never ends']);
    expect(events).toHaveLength(1);
    expect(events[0].raw).toMatchObject({ log: 'never ends', unfinished: true });
  });

  it('tells apart equal lines written at the same time and gives a re-read the same ids', () => {
    const lines = ['2026-01-12T09:00:00Z stdout F same', '2026-01-12T09:00:00Z stdout F same'];
    const first = decodeAll(open(), lines).events.map((e) => e.id);
    const again = decodeAll(open(), lines).events.map((e) => e.id);
    expect(new Set(first).size).toBe(2);
    expect(again).toEqual(first);
  });

  it('quarantines a line of neither format, with its position', () => {
    const { rejections } = decodeAll(open(), ['hello world', '2026-13-45T99:00:00Z stdout F bad time']);
    expect(rejections.map((r) => r.where)).toEqual(['f:1', 'f:2']);
    expect(rejections[0].reason).toMatch(/not a container log line/);
    expect(rejections[1].reason).toMatch(/invalid timestamp/);
  });

  it('recognises CRI and docker lines strictly', () => {
    const recognises = containerLogSource.lines?.recognises as (line: string) => boolean;
    expect(recognises('2016-10-06T00:17:09.669794202Z stdout P log content 1')).toBe(true);
    expect(recognises('2026-01-12T09:00:00Z stderr F')).toBe(true);
    expect(recognises('{"log":"x\\n","stream":"stdout","time":"2019-04-01T17:58:33.598656444Z"}')).toBe(true);
    expect(recognises('2026-01-12T09:00:00Z node-1 sshd[1]: Accepted password for a from 1.2.3.4 port 1 ssh2')).toBe(false);
    expect(recognises('{"kind":"Event","apiVersion":"audit.k8s.io/v1"}')).toBe(false);
    expect(containerLogSource.recognises({ log: 'x', stream: 'stdout' })).toBe(false);
    expect(parseCriLine('2026-01-12T09:00:00Z stdout X msg')).toBeUndefined();
  });
});
