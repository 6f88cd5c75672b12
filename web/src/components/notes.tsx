import type { ReactNode } from 'react';

export function ErrorNote({ error, what }: { error: Error | undefined; what: string }) {
  if (!error) return null;
  return (
    <p className="note note-error" role="alert">
      Could not load {what}: {error.message}
    </p>
  );
}

export function Loading({ loading, children = 'Loading…' }: { loading: boolean; children?: ReactNode }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      {loading ? children : ''}
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="note">{children}</p>;
}
