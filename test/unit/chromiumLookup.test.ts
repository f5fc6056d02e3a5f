/**
 * scripts/chromium.mjs's decision, `npm test`'s first step: which Chromium the browser tests drive,
 * install Debian's (root with apt-get), or stop with one line saying how. A pure function of the facts.
 */
import { describe, expect, it } from 'vitest';
import { APT_PACKAGES, decideChromium, type ChromiumFacts } from '../../scripts/chromium.mjs';

const facts = (over: Partial<ChromiumFacts> & { present?: string[] }): ChromiumFacts => {
  const present = new Set(over.present ?? []);
  return { platform: 'linux', home: '/home/u', isRoot: false, hasApt: true, exists: (path) => present.has(path), ...over };
};

describe('decideChromium', () => {
  it('uses CHROMIUM_PATH when it exists, before any standard path', () => {
    expect(decideChromium(facts({ envPath: '/opt/my/chrome', present: ['/opt/my/chrome', '/usr/bin/chromium'] }))).toEqual({ action: 'use', path: '/opt/my/chrome', from: 'CHROMIUM_PATH' });
  });

  it('stops on a CHROMIUM_PATH that does not exist, naming it, even where a standard install exists', () => {
    const decision = decideChromium(facts({ envPath: '/nope/chrome', present: ['/usr/bin/chromium'], isRoot: true }));
    expect(decision.action).toBe('stop');
    expect(decision.action === 'stop' && decision.message).toContain('CHROMIUM_PATH is /nope/chrome, which does not exist');
  });

  it('finds the standard Linux installs in order: Debian chromium, Ubuntu chromium-browser, Google Chrome, snap', () => {
    expect(decideChromium(facts({ present: ['/usr/bin/chromium', '/usr/bin/google-chrome'] }))).toMatchObject({ action: 'use', path: '/usr/bin/chromium' });
    expect(decideChromium(facts({ present: ['/usr/bin/chromium-browser'] }))).toMatchObject({ action: 'use', path: '/usr/bin/chromium-browser' });
    expect(decideChromium(facts({ present: ['/usr/bin/google-chrome-stable'] }))).toMatchObject({ action: 'use', path: '/usr/bin/google-chrome-stable' });
    expect(decideChromium(facts({ present: ['/snap/bin/chromium'] }))).toMatchObject({ action: 'use', path: '/snap/bin/chromium', from: 'standard path' });
  });

  it('finds Chrome and Chromium app bundles on macOS, system-wide and per user', () => {
    const chrome = '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome';
    expect(decideChromium(facts({ platform: 'darwin', present: [chrome] }))).toMatchObject({ action: 'use', path: chrome });
    const userChromium = '/Users/u/Applications/Chromium.app/Contents/MacOS/Chromium';
    expect(decideChromium(facts({ platform: 'darwin', home: '/Users/u', present: [userChromium] }))).toMatchObject({ action: 'use', path: userChromium });
    // Linux paths mean nothing on a Mac.
    expect(decideChromium(facts({ platform: 'darwin', present: ['/usr/bin/chromium'] })).action).toBe('stop');
  });

  it("installs Debian's chromium when none is found and it runs as root with apt-get", () => {
    expect(decideChromium(facts({ isRoot: true, hasApt: true }))).toEqual({ action: 'install', packages: APT_PACKAGES });
    expect(APT_PACKAGES).toContain('chromium');
  });

  it('otherwise stops with one line saying how', () => {
    const cases: [Partial<ChromiumFacts>, RegExp][] = [
      [{ isRoot: false, hasApt: true }, /sudo apt-get install chromium.*or set CHROMIUM_PATH/],
      [{ isRoot: true, hasApt: false }, /install Chromium or Google Chrome with your package manager, or set CHROMIUM_PATH/],
      [{ platform: 'darwin', isRoot: true }, /install Google Chrome or Chromium into \/Applications, or set CHROMIUM_PATH/],
      [{ platform: 'win32' }, /set CHROMIUM_PATH to a Chromium or Chrome binary/],
    ];
    for (const [over, expected] of cases) {
      const decision = decideChromium(facts(over));
      expect(decision.action, JSON.stringify(over)).toBe('stop');
      const message = decision.action === 'stop' ? decision.message : '';
      expect(message).toMatch(expected);
      expect(message).toMatch(/^No Chromium or Chrome found/);
      expect(message.includes('\n')).toBe(false);
    }
  });
});
