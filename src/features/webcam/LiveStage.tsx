import { useEffect, useRef } from 'react';
import { useLiveViewStore } from './liveViewStore';

/**
 * The live view shown large, in the main area. It holds no pipeline of its own: it offers the webcam
 * panel a place to draw (the panel portals its canvas and stats here), so the overlay, the stats and the
 * frame loop are the very ones the sidebar tile shows. Esc, or any view tab, goes back to the views.
 */
export function LiveStage() {
  const setSlot = useLiveViewStore((s) => s.setSlot);
  const setLarge = useLiveViewStore((s) => s.setLarge);
  const stageRef = useRef<HTMLElement>(null);

  useEffect(() => {
    // Keyboard users land in the view they asked for, so Esc and Tab work from here at once.
    stageRef.current?.focus();
  }, []);

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && !event.defaultPrevented) setLarge(false);
    };
    // The view tabs belong to the app shell; choosing one means leaving the live view for that view
    // (the tab that is already selected included, which changes nothing in the app store).
    const onClick = (event: MouseEvent) => {
      if (event.target instanceof Element && event.target.closest('[role="tab"]')) setLarge(false);
    };
    document.addEventListener('keydown', onKeyDown);
    document.addEventListener('click', onClick, true);
    return () => {
      document.removeEventListener('keydown', onKeyDown);
      document.removeEventListener('click', onClick, true);
    };
  }, [setLarge]);

  return (
    <section className="live-stage" aria-label="Live view" tabIndex={-1} ref={stageRef}>
      <div ref={setSlot} />
    </section>
  );
}
