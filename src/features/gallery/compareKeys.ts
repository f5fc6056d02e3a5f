/**
 * What ←, → and Esc mean in the side-by-side view, given where the focus is.
 *
 * The view listens on the window, so the keys reach it wherever the focus was left: on a model checkbox, a
 * button, the threshold slider, a select. Some controls give the arrows a meaning of their own (a slider moves,
 * a select or a radio group changes its value). Those keep their arrows when they were reached with the
 * keyboard (Tab): that is how a keyboard user operates them. After a control was used with the mouse, the user's
 * attention is back on the images and an arrow changing the backend or the threshold behind their back would be
 * a surprise, so the arrows step the images instead (Up/Down still move a slider). Esc always leaves the view,
 * except while text is being typed: there Esc and the arrows belong to the text field.
 */

export type CompareKeyAction = 'previous' | 'next' | 'close';

type Modality = 'pointer' | 'keyboard';

/** The input that came last before a focus change: it is how the focus arrived. */
let lastInput: Modality = 'keyboard';
/** How each element last got the focus. A WeakMap, so removed elements are not kept. */
const focusArrivedBy = new WeakMap<Element, Modality>();
let tracking = false;

/**
 * Starts noting, once per page, whether each focus change came from a pointer or the keyboard. Called when the
 * gallery or the side-by-side view mounts, so a control used in the grid before the view opened is known too;
 * the listeners are passive, tiny and stay for the page's life.
 */
export function trackFocusModality(): void {
  if (tracking || typeof window === 'undefined') return;
  tracking = true;
  const capture = { capture: true, passive: true } as const;
  window.addEventListener('pointerdown', () => (lastInput = 'pointer'), capture);
  window.addEventListener('keydown', () => (lastInput = 'keyboard'), capture);
  window.addEventListener(
    'focusin',
    (event) => {
      if (event.target instanceof Element) focusArrivedBy.set(event.target, lastInput);
    },
    capture,
  );
}

/** Input types that take typed text: every key, Esc included, belongs to them while they have the focus. */
const NON_TEXT_INPUT_TYPES = new Set(['checkbox', 'radio', 'range', 'button', 'submit', 'reset', 'color', 'file', 'image']);

function isTextEntry(element: Element): boolean {
  if (element instanceof HTMLTextAreaElement) return true;
  if (element instanceof HTMLInputElement) return !NON_TEXT_INPUT_TYPES.has(element.type);
  return element instanceof HTMLElement && element.isContentEditable;
}

/** Controls whose arrow keys change their own value. */
function ownsArrows(element: Element): boolean {
  if (element instanceof HTMLSelectElement) return true;
  if (element instanceof HTMLInputElement) return element.type === 'range' || element.type === 'radio';
  const role = element.getAttribute('role');
  return role === 'slider' || role === 'radio' || role === 'listbox' || role === 'spinbutton';
}

function arrivedByPointer(element: Element): boolean {
  const recorded = focusArrivedBy.get(element);
  if (recorded) return recorded === 'pointer';
  // Focused before tracking started: Chromium shows the focus ring (:focus-visible) only for keyboard focus.
  return !element.matches(':focus-visible');
}

/** The view's action for this key press, or null when the key is not the view's (the focused control keeps it). */
export function compareKeyAction(event: KeyboardEvent): CompareKeyAction | null {
  // Alt+← is the browser's Back, Ctrl/Cmd+arrows move by words; an IME composing text keeps its keys.
  if (event.defaultPrevented || event.isComposing || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return null;
  if (event.key !== 'Escape' && event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return null;
  const target = event.target instanceof Element ? event.target : null;
  if (target && isTextEntry(target)) return null;
  if (event.key === 'Escape') return 'close';
  if (target && ownsArrows(target) && !arrivedByPointer(target)) return null;
  return event.key === 'ArrowLeft' ? 'previous' : 'next';
}
