import { useAppStore } from './appStore';
import type { Notice } from './types';

/**
 * Shows a notice unless the same one is already on screen: adding the same bad file twice, or a drop that
 * repeats a problem, gives one message, not a pile of identical ones. A dismissed notice can come back.
 */
export function pushNoticeOnce(area: Notice['area'], message: string): void {
  const state = useAppStore.getState();
  if (state.notices.some((n) => n.area === area && n.message === message)) return;
  state.pushNotice(area, message);
}
