import { createContext, useContext } from 'react';
import type { SessionInfo } from './api';

export const SessionContext = createContext<SessionInfo | undefined>(undefined);

const RANK = { viewer: 0, responder: 1, admin: 2 } as const;

/** Whether the logged-in token may do what needs `role`; the server decides, this only keeps buttons honest. */
export function useMayAct(role: 'responder' | 'admin'): boolean {
  const session = useContext(SessionContext);
  return session !== undefined && RANK[session.role] >= RANK[role];
}
