import { createContext, useContext } from 'react';
import type { SessionPersistence } from './sessionPersistence';

/** The one session store, provided by app/ once the saved session is open; null before that. */
export const SessionContext = createContext<SessionPersistence | null>(null);

export function useSessionPersistence(): SessionPersistence | null {
  return useContext(SessionContext);
}
