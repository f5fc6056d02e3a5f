/** Label mode's keyboard: what each key does, as data, so the shortcut list shown is the one that works. */

export type LabelAction =
  | 'nextKeypoint'
  | 'previousKeypoint'
  | 'nextPerson'
  | 'previousPerson'
  | 'nextImage'
  | 'previousImage'
  | 'nextTodoImage'
  | 'nudge'
  | 'visible'
  | 'occluded'
  | 'absent'
  | 'acceptImage'
  | 'skipImage'
  | 'drawBox'
  | 'deletePerson'
  | 'undo'
  | 'redo'
  | 'zoomIn'
  | 'zoomOut'
  | 'fit'
  | 'cancel';

interface KeyMatch {
  /** A KeyboardEvent.key value (case-insensitive for letters). */
  key: string;
  shift?: boolean;
  ctrl?: boolean;
  /** A nudge's step, CSS pixels on screen (so it is the same at every zoom). */
  stepCssPx?: { x: number; y: number };
}

interface Shortcut {
  action: LabelAction;
  /** As shown to the user. */
  keys: string;
  does: string;
  match: readonly KeyMatch[];
}

/** Shift+arrow moves the current keypoint one CSS pixel; Ctrl+Shift+arrow ten. */
const NUDGE_STEP_CSS_PX = 1;
const NUDGE_FAR_STEP_CSS_PX = 10;
const ARROWS = [
  { key: 'ArrowLeft', x: -1, y: 0 },
  { key: 'ArrowRight', x: 1, y: 0 },
  { key: 'ArrowUp', x: 0, y: -1 },
  { key: 'ArrowDown', x: 0, y: 1 },
] as const;
const nudges: KeyMatch[] = ARROWS.flatMap(({ key, x, y }) => [
  { key, shift: true, stepCssPx: { x: x * NUDGE_STEP_CSS_PX, y: y * NUDGE_STEP_CSS_PX } },
  { key, shift: true, ctrl: true, stepCssPx: { x: x * NUDGE_FAR_STEP_CSS_PX, y: y * NUDGE_FAR_STEP_CSS_PX } },
]);

export const LABEL_SHORTCUTS: readonly Shortcut[] = [
  { action: 'nextKeypoint', keys: 'N / Tab', does: 'next keypoint', match: [{ key: 'n' }, { key: 'Tab' }] },
  { action: 'previousKeypoint', keys: 'Shift+N / Shift+Tab', does: 'previous keypoint', match: [{ key: 'n', shift: true }, { key: 'Tab', shift: true }] },
  { action: 'nextPerson', keys: 'P', does: 'next person', match: [{ key: 'p' }] },
  { action: 'previousPerson', keys: 'Shift+P', does: 'previous person', match: [{ key: 'p', shift: true }] },
  { action: 'nextImage', keys: '→ / PageDown', does: 'next image', match: [{ key: 'ArrowRight' }, { key: 'PageDown' }] },
  { action: 'previousImage', keys: '← / PageUp', does: 'previous image', match: [{ key: 'ArrowLeft' }, { key: 'PageUp' }] },
  { action: 'nextTodoImage', keys: 'T', does: 'next image still to do', match: [{ key: 't' }] },
  { action: 'nudge', keys: 'Shift+arrows', does: `move the keypoint ${NUDGE_STEP_CSS_PX} px on screen (Ctrl+Shift: ${NUDGE_FAR_STEP_CSS_PX} px)`, match: nudges },
  { action: 'visible', keys: '2 / V', does: 'keypoint visible (v = 2)', match: [{ key: '2' }, { key: 'v' }] },
  { action: 'occluded', keys: '1 / O', does: 'keypoint occluded (v = 1)', match: [{ key: '1' }, { key: 'o' }] },
  { action: 'absent', keys: '0 / X', does: 'keypoint absent (v = 0)', match: [{ key: '0' }, { key: 'x' }] },
  { action: 'acceptImage', keys: 'Enter / A', does: 'accept all: every keypoint reviewed, image done; on to the next image to do', match: [{ key: 'Enter' }, { key: 'a' }] },
  { action: 'skipImage', keys: 'S', does: 'skip image', match: [{ key: 's' }] },
  { action: 'drawBox', keys: 'B', does: 'add a person: drag its box', match: [{ key: 'b' }] },
  { action: 'deletePerson', keys: 'Delete', does: 'delete the person', match: [{ key: 'Delete' }, { key: 'Backspace' }] },
  { action: 'undo', keys: 'Ctrl+Z', does: 'undo', match: [{ key: 'z', ctrl: true }] },
  { action: 'redo', keys: 'Ctrl+Shift+Z / Ctrl+Y', does: 'redo', match: [{ key: 'z', ctrl: true, shift: true }, { key: 'y', ctrl: true }] },
  { action: 'zoomIn', keys: '+ / wheel', does: 'zoom in', match: [{ key: '+' }, { key: '=' }] },
  { action: 'zoomOut', keys: '− / wheel', does: 'zoom out', match: [{ key: '-' }] },
  { action: 'fit', keys: 'F', does: 'fit the image', match: [{ key: 'f' }] },
  { action: 'cancel', keys: 'Esc', does: 'stop drawing a box', match: [{ key: 'Escape' }] },
];

export interface LabelKeyPress {
  action: LabelAction;
  /** For a nudge: its step on screen. */
  stepCssPx?: { x: number; y: number };
}

/** The action of a key press, or null (typing in a field, or a key Label mode does not use). */
export function labelKeyAction(event: Pick<KeyboardEvent, 'key' | 'shiftKey' | 'ctrlKey' | 'metaKey' | 'altKey' | 'target'>): LabelKeyPress | null {
  const target = event.target as { tagName?: string; isContentEditable?: boolean; type?: string } | null;
  const tag = target?.tagName?.toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT' || target?.isContentEditable) return null;
  if (tag === 'INPUT' && target?.type !== 'checkbox' && target?.type !== 'radio' && target?.type !== 'button') return null;
  if (event.altKey) return null;
  const ctrl = event.ctrlKey || event.metaKey;
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  for (const shortcut of LABEL_SHORTCUTS) {
    for (const m of shortcut.match) {
      // '+' needs Shift on most layouts; it is matched whatever Shift says.
      const shiftOk = m.key === '+' || (m.shift ?? false) === event.shiftKey;
      if (m.key === key && shiftOk && (m.ctrl ?? false) === ctrl) return m.stepCssPx ? { action: shortcut.action, stepCssPx: m.stepCssPx } : { action: shortcut.action };
    }
  }
  return null;
}
