import { create } from 'zustand';

/**
 * Where the live view is shown: the sidebar tile, or large in the main area. The sidebar panel owns the
 * source and the frame loop; the main area only offers a place (`slot`) the panel draws into, so the two
 * never hold two pipelines or two copies of the stats. UI state of this feature alone, so it lives here,
 * not in the app store.
 */
interface LiveViewState {
  /** A source is playing (the main area has something to show). */
  active: boolean;
  /** The user asked for the large view; shown while `active`. */
  large: boolean;
  /** The main-area element the large view is drawn into, while LiveStage is mounted. */
  slot: HTMLElement | null;
  setActive: (active: boolean) => void;
  setLarge: (large: boolean) => void;
  setSlot: (slot: HTMLElement | null) => void;
}

export const useLiveViewStore = create<LiveViewState>()((set) => ({
  active: false,
  large: false,
  slot: null,
  setActive: (active) => set(active ? { active } : { active, large: false }),
  setLarge: (large) => set({ large }),
  setSlot: (slot) => set({ slot }),
}));

/** Whether the main area shows the live view instead of the current view (read by the app shell). */
export function useLiveLarge(): boolean {
  return useLiveViewStore((s) => s.active && s.large);
}
