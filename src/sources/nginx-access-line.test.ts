import { describe, expect, it } from 'vitest';
import { parseNginxAccessLine, splitRequestLine, timeLocalToMs } from './nginx-access-line.js';

describe('parseNginxAccessLine (ingress-nginx default log-format-upstream)', () => {
  it('reads every field under its nginx variable name, numbers as numbers, "-" left out', () => {
    const line =
      '192.168.64.1 - - [07/Feb/2020:11:48:51 +0000] "POST /products HTTP/1.1" 200 59 "-" "curl/7.54.0" 89 0.001 [default-web-8080] [] 172.17.0.5:8080 59 0.000 200 529a007902362a5f51385a5fa7049884';
    expect(parseNginxAccessLine(line)).toEqual({
      remote_addr: '192.168.64.1',
      time_local: '07/Feb/2020:11:48:51 +0000',
      request: 'POST /products HTTP/1.1',
      status: 200,
      body_bytes_sent: 59,
      http_user_agent: 'curl/7.54.0',
      request_length: 89,
      request_time: 0.001,
      proxy_upstream_name: 'default-web-8080',
      upstream_addr: '172.17.0.5:8080',
      upstream_response_length: '59',
      upstream_response_time: '0.000',
      upstream_status: '200',
      req_id: '529a007902362a5f51385a5fa7049884',
    });
  });

  it('keeps the upstream lists of retries (", ") and of upstream groups (" : ") together, and IPv6 clients', () => {
    const retried =
      '2a02:cf40::4e36 - - [24/Aug/2022:18:05:41 +0000] "GET /favicon.ico HTTP/2.0" 502 552 "https://localhost:8080/" "Mozilla/5.0" 27 0.000 [localhost-8080] [] [2a02:cf40::7]:5000, [2a02:cf40::4e36]:5000 0, 1 0.000, 1.000 502, 403 3db73c6c673c4256ade033a6ce08c2ab';
    expect(parseNginxAccessLine(retried)).toMatchObject({
      remote_addr: '2a02:cf40::4e36',
      upstream_addr: '[2a02:cf40::7]:5000, [2a02:cf40::4e36]:5000',
      upstream_response_length: '0, 1',
      upstream_response_time: '0.000, 1.000',
      upstream_status: '502, 403',
      req_id: '3db73c6c673c4256ade033a6ce08c2ab',
    });
    const grouped =
      '198.51.100.61 - - [02/Mar/2026:10:21:05 +0100] "GET / HTTP/1.1" 400 150 "-" "-" 140 0.000 [shop-web-8080] [shop-web-canary-8080] 10.244.2.18:8080 : 10.244.2.19:8080 0 : 150 0.000 : 0.000 502 : 400 1d6f';
    expect(parseNginxAccessLine(grouped)).toMatchObject({
      proxy_alternative_upstream_name: 'shop-web-canary-8080',
      upstream_addr: '10.244.2.18:8080 : 10.244.2.19:8080',
      upstream_status: '502 : 400',
      req_id: '1d6f',
    });
  });

  it('reads a request nginx could not parse, and a basic-auth user', () => {
    const line = '192.168.64.1 - admin [07/Feb/2020:11:49:50 +0000] "PATCHp /products/42 HTTP/1.1" 400 163 "-" "-" 0 0.000 [] [] - - - - 4c7d2079';
    expect(parseNginxAccessLine(line)).toMatchObject({ remote_user: 'admin', request: 'PATCHp /products/42 HTTP/1.1', status: 400, req_id: '4c7d2079' });
    expect(parseNginxAccessLine(line)).not.toHaveProperty('upstream_addr');
  });

  it('refuses other lines', () => {
    expect(parseNginxAccessLine('2026-03-02T10:00:00.000000000Z stdout F hello')).toBeUndefined();
    expect(parseNginxAccessLine('Mar  2 10:00:00 worker-1 sshd[123]: Accepted publickey for root')).toBeUndefined();
    expect(parseNginxAccessLine('1.2.3.4 - - [07/Feb/2020:11:48:51 +0000] "GET / HTTP/1.1" 200 59 "-" "x" 89 0.001 [a] [] a b c d e f')).toBeUndefined();
  });
});

describe('timeLocalToMs', () => {
  it('applies the zone offset', () => {
    expect(new Date(timeLocalToMs('07/Feb/2020:11:48:51 +0000') as number).toISOString()).toBe('2020-02-07T11:48:51.000Z');
    expect(new Date(timeLocalToMs('02/Mar/2026:10:21:05 +0100') as number).toISOString()).toBe('2026-03-02T09:21:05.000Z');
    expect(new Date(timeLocalToMs('02/Mar/2026:10:21:05 -0530') as number).toISOString()).toBe('2026-03-02T15:51:05.000Z');
    expect(timeLocalToMs('02/Foo/2026:10:21:05 +0000')).toBeUndefined();
  });
});

describe('splitRequestLine', () => {
  it('splits method, target and protocol, and keeps a malformed request whole', () => {
    expect(splitRequestLine('GET /a?b=c HTTP/1.1')).toEqual({ method: 'GET', uri: '/a?b=c', protocol: 'HTTP/1.1' });
    expect(splitRequestLine('\\x16\\x03\\x01')).toEqual({ uri: '\\x16\\x03\\x01' });
  });
});
