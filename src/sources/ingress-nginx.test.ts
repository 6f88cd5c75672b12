import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ingressNginxSource } from './ingress-nginx.js';

const jsonLines = readFileSync(new URL('../../test/fixtures/ingress-nginx/access-json.log', import.meta.url), 'utf8').split('\n').filter(Boolean);
const context = { cluster: 'shop' };
const line =
  '198.51.100.60 - admin [02/Mar/2026:10:21:00 +0000] "GET /api/v1/orders HTTP/1.1" 401 172 "-" "curl/8.5.0" 98 0.002 [shop-admin-8080] [] 10.244.2.17:8080 172 0.002 401 0c5e1f2a';

describe('ingress-nginx source', () => {
  it('reads default-format lines, one event per line, and names the line of a line it cannot read', () => {
    const decoder = ingressNginxSource.lines?.open(context);
    const good = decoder?.decode(line, 'access.log:1');
    expect(good?.events[0]).toMatchObject({
      source: 'net.ingress',
      category: 'web',
      action: 'GET',
      outcome: 'failure',
      userName: 'admin',
      sourceIp: '198.51.100.60',
      userAgent: 'curl/8.5.0',
      statusCode: 401,
      requestUri: '/api/v1/orders',
      timestamp: Date.parse('2026-03-02T10:21:00Z'),
    });
    expect(good?.events[0].raw).toMatchObject({ line, request_method: 'GET', request_uri: '/api/v1/orders', upstream_status: '401', proxy_upstream_name: 'shop-admin-8080' });
    expect(decoder?.decode('GET / HTTP/1.1', 'access.log:2')).toEqual({
      events: [],
      rejections: [{ reason: 'not an ingress-nginx access line in the default log-format-upstream', where: 'access.log:2', text: 'GET / HTTP/1.1' }],
    });
    expect(decoder?.hasPartial()).toBe(false);
  });

  it('stores a line as its fields, which read back as the same event', () => {
    const [event] = ingressNginxSource.lines?.open(context).decode(line, 'x:1').events ?? [];
    const stored = JSON.parse(event.record) as unknown;
    expect(ingressNginxSource.recognises(stored)).toBe(true);
    const [again] = ingressNginxSource.decode(stored, event.record, context).events;
    expect(again).toEqual(event);
  });

  it('reads JSON log formats keyed by nginx variable names', () => {
    const [event] = ingressNginxSource.decode(JSON.parse(jsonLines[0]), jsonLines[0], context).events;
    expect(event).toMatchObject({
      action: 'POST',
      sourceIp: '198.51.100.50',
      statusCode: 401,
      requestUri: '/admin/login',
      namespace: 'shop',
      resourceType: 'ingresses',
      resourceName: 'admin',
      userAgent: 'python-requests/2.31.0',
      timestamp: Date.parse('2026-03-02T10:20:00Z'),
    });
    expect(event.userName).toBeUndefined();
    expect(event.record).toBe(jsonLines[0]);
  });

  it('recognises nginx access logs only', () => {
    expect(ingressNginxSource.recognises(JSON.parse(jsonLines[1]))).toBe(true);
    expect(ingressNginxSource.lines?.recognises(line)).toBe(true);
    expect(ingressNginxSource.recognises({ remote_addr: '1.2.3.4', status: 200, request: 'GET / HTTP/1.1' })).toBe(false);
    expect(ingressNginxSource.recognises({ level: 'info', msg: 'request served', status: 200 })).toBe(false);
    expect(ingressNginxSource.lines?.recognises('2026-03-02T10:00:00.000Z stdout F {"a":1}')).toBe(false);
  });
});
