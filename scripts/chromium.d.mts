// Types for scripts/chromium.mjs (plain JS, so `npm test` can run it before anything is built).
export interface ChromiumFacts {
  /** CHROMIUM_PATH, when set. */
  envPath?: string | undefined;
  platform: string;
  home?: string | undefined;
  exists: (path: string) => boolean;
  isRoot: boolean;
  /** apt-get is on PATH. */
  hasApt: boolean;
}

export type ChromiumDecision =
  | { action: 'use'; path: string; from: 'CHROMIUM_PATH' | 'standard path' }
  | { action: 'install'; packages: string[] }
  | { action: 'stop'; message: string };

export const LINUX_PATHS: readonly string[];
export const APT_PACKAGES: readonly string[];
export function macPaths(home?: string): string[];
export function standardPaths(platform: string, home?: string): readonly string[];
export function decideChromium(facts: ChromiumFacts): ChromiumDecision;
export function machineFacts(): ChromiumFacts;
export function findChromium(facts?: ChromiumFacts): { path: string; problem: null } | { path: null; problem: string };
