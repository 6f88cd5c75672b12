import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hubbleSource } from './hubble.js';

const lines = readFileSync(new URL('../../test/fixtures/hubble/flows.json', import.meta.url), 'utf8').split('\n').filter(Boolean);
const context = { cluster: 'prod-eu' };
const decode = (text: string) => hubbleSource.decode(JSON.parse(text), text, context);

describe('hubble source', () => {
  it('normalizes a dropped flow: verdict, reason, endpoints and node', () => {
    const { events, rejections } = decode(lines[0]);
    expect(rejections).toEqual([]);
    expect(events[0]).toMatchObject({
      source: 'net.flow',
      category: 'network',
      action: 'dropped',
      outcome: 'failure',
      sourceIp: '10.244.1.60',
      namespace: 'default',
      podName: 'xwing',
      hostName: 'prod-eu/worker-1',
      dedupKey: '5b2f4b3e-1c1d-4e0f-9a8b-7c6d5e4f3a21',
      timestamp: Date.parse('2026-03-02T10:30:00.510Z'),
      message: 'default/xwing 10.244.1.60:44916 -> payments/postgres-0 10.244.1.5:5432 TCP SYN DROPPED (POLICY_DENIED)',
    });
    expect(events[0].record).toBe(lines[0]);
  });

  it('reads L7 HTTP status and URL', () => {
    expect(decode(lines[1]).events[0]).toMatchObject({ action: 'forwarded', outcome: 'success', statusCode: 403, requestUri: 'http://web.shop.svc:8080/admin' });
  });

  it('reads a bare flow (hubble observe -o json) under the same raw paths as a wrapped one', () => {
    const [event] = decode(lines[4]).events;
    expect(event).toMatchObject({ action: 'dropped', sourceIp: '10.244.3.9', namespace: 'ci', hostName: 'prod-eu/worker-3' });
    expect(event.raw).toMatchObject({ flow: { drop_reason_desc: 'POLICY_DENY' } });
  });

  it('keeps lost-events frames as visibility gaps', () => {
    expect(decode(lines[3]).events[0]).toMatchObject({ action: 'lost-events', logLevel: 'warning', hostName: 'prod-eu/worker-1', message: 'Hubble lost 12 event(s) (HUBBLE_RING_BUFFER)' });
  });

  it('recognises flows only and quarantines a flow with an unreadable time', () => {
    expect(hubbleSource.recognises({ flow: { verdict: 'MAYBE', time: '2026-03-02T10:00:00Z', IP: {} } })).toBe(false);
    expect(hubbleSource.recognises({ verdict: 'DROPPED', time: '2026-03-02T10:00:00Z' })).toBe(false);
    expect(hubbleSource.recognises({ process_exec: {}, time: '2026-03-02T10:00:00Z' })).toBe(false);
    const badTime = JSON.stringify({ flow: { verdict: 'DROPPED', time: 'yesterday', IP: {} }, time: 'today' });
    expect(hubbleSource.recognises(JSON.parse(badTime))).toBe(true);
    expect(decode(badTime)).toMatchObject({ events: [], rejections: [{ reason: 'Hubble record whose "time" is not an RFC 3339 time' }] });
  });
});
