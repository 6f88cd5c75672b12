import { useState } from 'react';
import { ApiError, api, type SessionInfo } from '../api';

/** Log in with an API token; the server answers with an HttpOnly session cookie. */
export function LoginPage({ onLogin }: { onLogin: (session: SessionInfo) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onLogin(await api<SessionInfo>('POST', '/api/v1/session', { token }));
    } catch (caught) {
      setError(caught instanceof ApiError && caught.status === 429 ? 'Too many attempts; wait a minute and try again.' : (caught as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="login" id="main">
      <form className="card login-card" onSubmit={(event) => void submit(event)}>
        <div className="brand brand-large" aria-hidden="true">
          <span className="logo">V</span> Vigil
        </div>
        <h1>Log in</h1>
        <p className="muted">Paste a viewer, responder or admin token. <code>vigil serve</code> prints the first admin token; make more with <code>vigil tokens create</code>.</p>
        <label htmlFor="token">API token</label>
        <input id="token" name="token" type="password" autoComplete="off" spellCheck={false} required value={token} onChange={(event) => setToken(event.target.value)} placeholder="vgl_…" />
        {error && (
          <p className="note note-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary wide" disabled={busy || token.trim() === ''}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </main>
  );
}
