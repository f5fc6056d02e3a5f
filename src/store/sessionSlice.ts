import type { StateCreator } from 'zustand';

/** A saved session as the session picker lists it. */
export interface SessionListEntry {
  id: string;
  name: string;
  updatedAtMs: number;
}

/**
 * - `loading`: the saved session is being read (the app starts from it);
 * - `saved` / `saving`: everything the session holds is in the browser's storage, or is being written;
 * - `unsaved`: a write failed (e.g. storage full); `message` names what was not kept;
 * - `unavailable`: this browser gives the page no IndexedDB (e.g. some private modes): nothing is kept.
 */
export type SessionSaveStatus = 'loading' | 'saved' | 'saving' | 'unsaved' | 'unavailable';

export interface SessionState {
  /** The session the page shows; null until one is open. A change of id means "everything was replaced". */
  id: string | null;
  name: string;
  list: SessionListEntry[];
  status: SessionSaveStatus;
  savedAtMs: number | null;
  message: string | null;
}

export interface SessionSlice {
  session: SessionState;
  patchSession: (patch: Partial<SessionState>) => void;
}

export const createSessionSlice: StateCreator<SessionSlice, [], [], SessionSlice> = (set) => ({
  session: { id: null, name: '', list: [], status: 'loading', savedAtMs: null, message: null },
  patchSession: (patch) => set((s) => ({ session: { ...s.session, ...patch } })),
});
