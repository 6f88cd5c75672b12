import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { call, createToken, eventually, login, withTokens } from '../helpers/api.js';
import { tempDir } from '../helpers/cli.js';
import { type RunningServer, startServer } from '../helpers/server.js';

/**
 * Who may do what, over real HTTP against `vigil serve`: bearer tokens by role, UI sessions with
 * their cookie and CSRF token, revocation, the login rate limit, TLS, security headers, metrics
 * access and what the request log leaves out.
 */

let server: RunningServer;
let dataDir: string;
const tokens: Record<string, { secret: string; id: string }> = {};

beforeAll(async () => {
  dataDir = tempDir('vigil-auth-');
  for (const role of ['viewer', 'responder', 'ingest', 'admin'] as const) tokens[role] = createToken(dataDir, role);
  // Info-level request logs, so the test can show they hold no secret.
  server = await startServer(['--data-dir', dataDir, '--log-level', 'info']);
});

afterAll(async () => {
  await server?.kill();
});

describe('bearer tokens', () => {
  it('refuses a request without a token (401) and a token whose role is too low (403)', async () => {
    const anonymous = await call(server.url, '/api/v1/events');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    expect((await call(server.url, '/api/v1/events', { token: 'vgl_not-a-token' })).status).toBe(401);
    expect((await call(server.url, '/api/v1/events', { token: tokens.ingest.secret })).status).toBe(403);
    const viewerVerify = await call(server.url, '/api/v1/integrity/verify', { method: 'POST', token: tokens.viewer.secret });
    expect(viewerVerify.status).toBe(403);
    expect((viewerVerify.body as { error: string }).error).toBe('token "viewer-test" has role viewer; this needs responder');
    expect((await call(server.url, '/api/v1/events', { token: tokens.viewer.secret })).status).toBe(200);
    expect((await call(server.url, '/api/v1/integrity/verify', { method: 'POST', token: tokens.responder.secret })).status).toBe(202);
    expect((await call(server.url, '/api/v1/openapi.json')).status).toBe(401);
    expect((await call(server.url, '/healthz')).status).toBe(200);
  });

  it('needs a viewer token for /metrics by default', async () => {
    expect((await call(server.url, '/metrics')).status).toBe(401);
    expect((await call(server.url, '/metrics', { token: tokens.viewer.secret })).status).toBe(200);
  });
});

describe('UI sessions', () => {
  it('logs in with a token into an HttpOnly, SameSite=Strict cookie that is not Secure over plain HTTP', async () => {
    const { answer, cookie, csrf } = await login(server.url, tokens.viewer.secret);
    expect(answer.body).toMatchObject({ name: 'viewer-test', role: 'viewer' });
    const session = answer.headers.getSetCookie().find((line) => line.startsWith('vigil_session='));
    expect(session).toMatch(/; HttpOnly/);
    expect(session).toMatch(/; SameSite=Strict/);
    expect(session).not.toMatch(/Secure/);
    expect(csrf.length).toBeGreaterThan(20);
    expect((await call(server.url, '/api/v1/events', { cookie })).status).toBe(200);
    expect((await call(server.url, '/api/v1/session', { cookie })).body).toMatchObject({ name: 'viewer-test', role: 'viewer' });
  });

  it('refuses ingest tokens and unknown tokens at login', async () => {
    expect((await call(server.url, '/api/v1/session', { method: 'POST', body: { token: tokens.ingest.secret } })).status).toBe(403);
    expect((await call(server.url, '/api/v1/session', { method: 'POST', body: { token: 'vgl_guess' } })).status).toBe(401);
  });

  it('needs the session\'s own CSRF token on state-changing requests made with the cookie', async () => {
    const responder = await login(server.url, tokens.responder.secret);
    const other = await login(server.url, tokens.admin.secret);
    const withoutToken = await call(server.url, '/api/v1/integrity/verify', { method: 'POST', cookie: responder.cookie });
    expect(withoutToken.status).toBe(403);
    expect(withoutToken.body).toMatchObject({ code: 'FST_CSRF_INVALID_TOKEN' });
    const foreignToken = await call(server.url, '/api/v1/integrity/verify', { method: 'POST', cookie: responder.cookie, csrf: other.csrf });
    expect(foreignToken.status).toBe(403);
    const withToken = await call(server.url, '/api/v1/integrity/verify', { method: 'POST', cookie: responder.cookie, csrf: responder.csrf });
    expect(withToken.status).toBe(202);
    // Logging out is state-changing too.
    expect((await call(server.url, '/api/v1/session', { method: 'DELETE', cookie: responder.cookie })).status).toBe(403);
    expect((await call(server.url, '/api/v1/session', { method: 'DELETE', cookie: responder.cookie, csrf: responder.csrf })).status).toBe(204);
    expect((await call(server.url, '/api/v1/events', { cookie: responder.cookie })).status).toBe(401);
  });

  it('ends bearer access and every session of a token when it is revoked', async () => {
    const token = createToken(dataDir, 'viewer', 'soon-revoked');
    const session = await login(server.url, token.secret);
    expect((await call(server.url, '/api/v1/rules', { cookie: session.cookie })).status).toBe(200);
    expect(withTokens(dataDir, (store) => store.revoke(token.id))).toBe(true);
    expect((await call(server.url, '/api/v1/rules', { token: token.secret })).status).toBe(401);
    expect((await call(server.url, '/api/v1/rules', { cookie: session.cookie })).status).toBe(401);
    expect((await call(server.url, '/api/v1/session', { method: 'POST', body: { token: token.secret } })).status).toBe(401);
  });

  it('records logins in the tamper-evident ledger, without the token', async () => {
    const q = 'source=vigil.admin action=ui.login | fields outcome, message';
    const answer = await call(server.url, `/api/v1/events?q=${encodeURIComponent(q)}`, { token: tokens.admin.secret });
    const logins = (answer.body as { rows: Array<{ outcome: string; message: string }> }).rows;
    expect(logins).toContainEqual({ outcome: 'success', message: 'UI login by token "viewer-test" (viewer)' });
    expect(logins.some((entry) => entry.outcome === 'failure')).toBe(true);
    expect(answer.text).not.toContain('vgl_');
  });

  it('keeps secrets out of the request log and tags every answer with a request id', async () => {
    const answer = await call(server.url, '/api/v1/rules', { token: tokens.admin.secret });
    const id = answer.headers.get('x-request-id') ?? '';
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const log = await eventually(async () => (server.output().includes(`"reqId":"${id}"`) ? server.output() : undefined), 'the request in the log');
    for (const token of Object.values(tokens)) expect(log).not.toContain(token.secret);
    expect(log).not.toMatch(/vigil_session=/);
  });

  it('sends a CSP that allows only this origin, and other security headers', async () => {
    const answer = await call(server.url, '/healthz');
    const csp = answer.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https:/);
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.headers.get('strict-transport-security')).toBeNull();
  });

  // Last: it uses up this address's login attempts.
  it('rate-limits login attempts per address', async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 12; attempt++) statuses.push((await call(server.url, '/api/v1/session', { method: 'POST', body: { token: 'vgl_guess' } })).status);
    expect(statuses).toContain(429);
    expect(statuses.slice(statuses.indexOf(429)).every((status) => status === 429)).toBe(true);
  });
});

describe('TLS and public metrics', () => {
  let tls: RunningServer | undefined;
  afterEach(async () => {
    await tls?.kill();
  });

  it('serves HTTPS from --tls-cert/--tls-key with Secure cookies and HSTS, and /metrics openly with --metrics-public', async () => {
    const dir = tempDir('vigil-tls-');
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const tlsDir = tempDir('vigil-tls-data-');
    const viewer = createToken(tlsDir, 'viewer');
    tls = await startServer(['--data-dir', tlsDir, '--tls-cert', cert, '--tls-key', key, '--metrics-public']);
    expect(tls.url).toMatch(/^https:\/\//);
    const answer = await httpsPost(`${tls.url}/api/v1/session`, JSON.stringify({ token: viewer.secret }), readFileSync(cert));
    expect(answer.status).toBe(200);
    expect(answer.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    const session = answer.setCookie.find((line) => line.startsWith('vigil_session='));
    expect(session).toMatch(/; Secure/);
    expect(answer.headers['content-security-policy']).toContain('upgrade-insecure-requests');
    const metrics = await httpsGet(`${tls.url}/metrics`, readFileSync(cert));
    expect(metrics.status).toBe(200);
    // The login above is the ledger's one record.
    expect(metrics.body).toMatch(/^vigil_ledger_records 1$/m);
  });
});

function httpsGet(url: string, ca: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    httpsRequest(url, { ca }, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

function httpsPost(url: string, body: string, ca: Buffer): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; setCookie: string[] }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method: 'POST', ca, headers: { 'content-type': 'application/json' } }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, setCookie: response.headers['set-cookie'] ?? [] }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
