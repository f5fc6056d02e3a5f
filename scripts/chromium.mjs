#!/usr/bin/env node
// Finds the Chromium (or Chrome) the browser tests and the bench drive, and with --ensure (the first
// step of `npm test`) installs Debian's chromium where it can (root, apt-get), or stops before any test
// with one line saying how. The browser harness (test/browser/harness.ts) and the bench
// (scripts/bench/app.mjs) look it up through findChromium(), so all three agree on the binary.
//   node scripts/chromium.mjs            prints the path, or the one line, and exits 1 when there is none
//   node scripts/chromium.mjs --ensure   the same, installing it first when it can
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where Linux distributions and Google put the binary. */
export const LINUX_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  '/opt/google/chrome/chrome',
];

/** macOS application bundles, system-wide and per user. */
export function macPaths(home) {
  const apps = [
    'Google Chrome.app/Contents/MacOS/Google Chrome',
    'Chromium.app/Contents/MacOS/Chromium',
    'Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing',
  ];
  return [...apps.map((app) => `/Applications/${app}`), ...(home ? apps.map((app) => join(home, 'Applications', app)) : [])];
}

/** Standard places to look on this platform (none on others: CHROMIUM_PATH is the way there). */
export function standardPaths(platform, home) {
  if (platform === 'linux') return LINUX_PATHS;
  if (platform === 'darwin') return macPaths(home);
  return [];
}

/** Debian's package, plus a font so text renders the same as in CI. */
export const APT_PACKAGES = ['chromium', 'fonts-dejavu-core'];

/**
 * The decision, as a pure function of the facts, so it is unit-tested without touching the machine.
 * facts: { envPath?: string, platform: string, home?: string, exists(path): boolean, isRoot: boolean, hasApt: boolean }
 * Returns { action: 'use', path, from } | { action: 'install', packages } | { action: 'stop', message }.
 */
export function decideChromium(facts) {
  if (facts.envPath) {
    // An explicit choice that is wrong is an error, not a hint to look elsewhere.
    if (facts.exists(facts.envPath)) return { action: 'use', path: facts.envPath, from: 'CHROMIUM_PATH' };
    return { action: 'stop', message: `CHROMIUM_PATH is ${facts.envPath}, which does not exist: point it at a Chromium or Chrome binary, or unset it to use a standard install.` };
  }
  const candidates = standardPaths(facts.platform, facts.home);
  const found = candidates.find((path) => facts.exists(path));
  if (found) return { action: 'use', path: found, from: 'standard path' };
  if (facts.platform === 'linux' && facts.isRoot && facts.hasApt) return { action: 'install', packages: APT_PACKAGES };
  return { action: 'stop', message: howToInstall(facts) };
}

function howToInstall(facts) {
  const looked = facts.platform === 'linux' || facts.platform === 'darwin' ? ' (looked at CHROMIUM_PATH and the standard install paths)' : ' (CHROMIUM_PATH is not set)';
  if (facts.platform === 'linux') {
    const how = facts.hasApt ? '`sudo apt-get install chromium`, or run `npm test` as root to have it installed' : 'install Chromium or Google Chrome with your package manager';
    return `No Chromium or Chrome found for the browser tests${looked}: ${how}, or set CHROMIUM_PATH to its binary.`;
  }
  if (facts.platform === 'darwin') return `No Chromium or Chrome found for the browser tests${looked}: install Google Chrome or Chromium into /Applications, or set CHROMIUM_PATH to its binary.`;
  return `No Chromium or Chrome found for the browser tests${looked}: set CHROMIUM_PATH to a Chromium or Chrome binary.`;
}

function isExecutableFile(path) {
  try {
    accessSync(path, constants.X_OK);
    return existsSync(path);
  } catch {
    return false;
  }
}

function onPath(command) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && isExecutableFile(join(dir, command)));
}

/** The facts of this machine. */
export function machineFacts() {
  return {
    envPath: process.env.CHROMIUM_PATH || undefined,
    platform: process.platform,
    home: homedir(),
    exists: isExecutableFile,
    isRoot: typeof process.getuid === 'function' && process.getuid() === 0,
    hasApt: process.platform === 'linux' && onPath('apt-get'),
  };
}

/** The binary to drive, or null; `problem` says why there is none. */
export function findChromium(facts = machineFacts()) {
  const decision = decideChromium(facts);
  if (decision.action === 'use') return { path: decision.path, problem: null };
  return { path: null, problem: decision.action === 'stop' ? decision.message : howToInstall({ ...facts, isRoot: false }) };
}

function aptGet(args) {
  const result = spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return result.status === 0;
}

/** --ensure: finds it, or installs Debian's chromium (root with apt-get), or says how in one line. */
function ensure() {
  const facts = machineFacts();
  const decision = decideChromium(facts);
  if (decision.action === 'use') return decision.path;
  if (decision.action === 'stop') return fail(decision.message);
  console.log(`[chromium] none found; installing Debian's ${decision.packages.join(' ')} with apt-get (running as root)`);
  if (!aptGet(['update', '-qq']) || !aptGet(['install', '-y', '-qq', ...decision.packages])) {
    return fail(`apt-get could not install ${decision.packages.join(' ')}: install Chromium yourself, or set CHROMIUM_PATH to its binary.`);
  }
  const after = decideChromium(machineFacts());
  if (after.action !== 'use') return fail(`apt-get installed ${decision.packages.join(' ')}, yet no binary is at ${standardPaths(facts.platform, facts.home).join(', ')}: set CHROMIUM_PATH to it.`);
  return after.path;
}

function fail(message) {
  console.error(`[chromium] ${message}`);
  process.exit(1);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--ensure')) {
    const path = ensure();
    console.log(`[chromium] browser tests use ${path}`);
  } else {
    const { path, problem } = findChromium();
    if (!path) fail(problem);
    console.log(path);
  }
}
