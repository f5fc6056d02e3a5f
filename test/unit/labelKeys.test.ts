import { describe, expect, it } from 'vitest';
import { LABEL_SHORTCUTS, labelKeyAction } from '../../src/features/label/labelKeys';

const press = (key: string, mods: { shiftKey?: boolean; ctrlKey?: boolean; metaKey?: boolean; altKey?: boolean } = {}, target: unknown = null) =>
  labelKeyAction({ key, shiftKey: false, ctrlKey: false, metaKey: false, altKey: false, target: target as EventTarget | null, ...mods });

describe('Label mode keys', () => {
  it('arrows change the image; Shift+arrows nudge the keypoint 1 px on screen, Ctrl+Shift+arrows 10 px', () => {
    expect(press('ArrowRight')).toEqual({ action: 'nextImage' });
    expect(press('ArrowLeft')).toEqual({ action: 'previousImage' });
    expect(press('ArrowLeft', { shiftKey: true })).toEqual({ action: 'nudge', stepCssPx: { x: -1, y: 0 } });
    expect(press('ArrowDown', { shiftKey: true })).toEqual({ action: 'nudge', stepCssPx: { x: 0, y: 1 } });
    expect(press('ArrowUp', { shiftKey: true, ctrlKey: true })).toEqual({ action: 'nudge', stepCssPx: { x: 0, y: -10 } });
    expect(press('ArrowRight', { shiftKey: true, metaKey: true })).toEqual({ action: 'nudge', stepCssPx: { x: 10, y: 0 } });
    expect(press('ArrowUp')).toBeNull();
  });

  it('letters ignore case where Shift means nothing else, and keep it where it does', () => {
    expect(press('T')).toEqual({ action: 'nextTodoImage' });
    expect(press('n')).toEqual({ action: 'nextKeypoint' });
    expect(press('N', { shiftKey: true })).toEqual({ action: 'previousKeypoint' });
    expect(press('z', { ctrlKey: true })).toEqual({ action: 'undo' });
    expect(press('Z', { ctrlKey: true, shiftKey: true })).toEqual({ action: 'redo' });
  });

  it('gives nothing while typing in a field, or with Alt', () => {
    expect(press('2', {}, { tagName: 'INPUT', type: 'text' })).toBeNull();
    expect(press('2', {}, { tagName: 'textarea' })).toBeNull();
    expect(press('2', {}, { tagName: 'INPUT', type: 'checkbox' })).toEqual({ action: 'visible' });
    expect(press('2', { altKey: true })).toBeNull();
  });

  it('no two shortcuts share a key with the same modifiers (the list shown is the one that works)', () => {
    const seen = new Map<string, string>();
    for (const shortcut of LABEL_SHORTCUTS) {
      for (const m of shortcut.match) {
        const id = `${m.key}|${m.shift ?? false}|${m.ctrl ?? false}`;
        expect(seen.get(id), `${id} is both ${seen.get(id)} and ${shortcut.action}`).toBeUndefined();
        seen.set(id, shortcut.action);
      }
    }
  });
});
