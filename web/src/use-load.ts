import { useCallback, useEffect, useRef, useState } from 'react';

export interface Loaded<T> {
  data?: T;
  error?: Error;
  loading: boolean;
  reload: () => void;
}

/**
 * Runs `load` when its inputs change and keeps the latest answer; an answer that arrives after
 * a newer request started is dropped, so fast typing never shows stale results.
 */
export function useLoad<T>(load: () => Promise<T>, inputs: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const generation = useRef(0);
  const [reloads, setReloads] = useState(0);
  // The caller names the inputs that `load` depends on, as with useEffect.
  const run = useCallback(load, inputs);
  useEffect(() => {
    const mine = ++generation.current;
    setState((previous) => ({ ...previous, loading: true }));
    run().then(
      (data) => mine === generation.current && setState({ data, loading: false }),
      (error: Error) => mine === generation.current && setState((previous) => ({ data: previous.data, error, loading: false })),
    );
  }, [run, reloads]);
  return { ...state, reload: () => setReloads((count) => count + 1) };
}
