import { useEffect, useRef, useState } from 'react';
import { LOGGED_OUT_EVENT, api, rememberSession, type SessionInfo } from './api';
import { AlertDetailPage } from './pages/alert-detail';
import { AlertsPage } from './pages/alerts';
import { ExplorePage } from './pages/explore';
import { IntegrityPage } from './pages/integrity';
import { LoginPage } from './pages/login';
import { PosturePage } from './pages/posture';
import { RulesPage } from './pages/rules';
import { SourcesPage } from './pages/sources';
import { navigate, onLinkClick, usePath } from './router';
import { SessionContext } from './session';

const PAGES = [
  { path: '/explore', label: 'Explore' },
  { path: '/alerts', label: 'Alerts' },
  { path: '/rules', label: 'Rules' },
  { path: '/sources', label: 'Sources' },
  { path: '/integrity', label: 'Integrity' },
  { path: '/posture', label: 'Posture' },
];

function Page({ path }: { path: string }) {
  const [pathname, search = ''] = path.split('?');
  const alert = /^\/alerts\/([^/]+)$/.exec(pathname);
  if (alert) return <AlertDetailPage id={decodeURIComponent(alert[1])} />;
  switch (pathname) {
    case '/alerts':
      return <AlertsPage search={search} />;
    case '/rules':
      return <RulesPage />;
    case '/sources':
      return <SourcesPage />;
    case '/integrity':
      return <IntegrityPage />;
    case '/posture':
      return <PosturePage />;
    default:
      return <ExplorePage search={search} />;
  }
}

export function App() {
  const path = usePath();
  const [session, setSession] = useState<SessionInfo | null | undefined>(undefined);
  const main = useRef<HTMLElement>(null);
  useEffect(() => {
    api<SessionInfo>('GET', '/api/v1/session').then(
      (current) => {
        rememberSession(current);
        setSession(current);
      },
      () => setSession(null),
    );
    const loggedOut = () => {
      rememberSession(undefined);
      setSession(null);
    };
    window.addEventListener(LOGGED_OUT_EVENT, loggedOut);
    return () => window.removeEventListener(LOGGED_OUT_EVENT, loggedOut);
  }, []);
  const pathname = path.split('?')[0];
  useEffect(() => {
    const page = PAGES.find((candidate) => pathname.startsWith(candidate.path));
    document.title = `${page?.label ?? 'Explore'} · Vigil`;
    main.current?.focus({ preventScroll: true });
  }, [pathname]);

  if (session === undefined) return <p className="loading" role="status">Loading…</p>;
  if (session === null) {
    return (
      <LoginPage
        onLogin={(opened) => {
          rememberSession(opened);
          setSession(opened);
          if (pathname === '/' || pathname === '/login') navigate('/explore');
        }}
      />
    );
  }
  const logout = async () => {
    await api('DELETE', '/api/v1/session').catch(() => undefined);
    rememberSession(undefined);
    setSession(null);
  };
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="sidebar">
        <div className="brand">
          <span className="logo" aria-hidden="true">
            V
          </span>{' '}
          Vigil
        </div>
        <nav aria-label="Pages">
          <ul>
            {PAGES.map((page) => {
              const current = pathname.startsWith(page.path) || (page.path === '/explore' && pathname === '/');
              return (
                <li key={page.path}>
                  <a href={page.path} onClick={onLinkClick} aria-current={current ? 'page' : undefined}>
                    {page.label}
                  </a>
                </li>
              );
            })}
          </ul>
        </nav>
        <div className="who">
          <span className="who-name">{session.name}</span>
          <span className="who-role">{session.role}</span>
          <button type="button" className="ghost" onClick={() => void logout()}>
            Log out
          </button>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <SessionContext.Provider value={session}>
          <Page path={path} />
        </SessionContext.Provider>
      </main>
    </div>
  );
}
