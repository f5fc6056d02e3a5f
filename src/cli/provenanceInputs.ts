/**
 * What the CLI reads from its surroundings for the provenance record (src/core/evaluation/provenance.ts): the app
 * version, i.e. the git commit of the checkout (also used at build time by vite.config.ts `define`, so the app and
 * the CLI name a build the same way), and the ground truth's sha256.
 */

import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UNKNOWN_APP_VERSION, sha256Hex } from '../core/evaluation/provenance';

/** The checkout the CLI runs from. */
export const REPO_DIR = join(import.meta.dirname, '..', '..');

/**
 * The commit in `cwd`, with "-dirty" when the work tree has uncommitted changes (so an export never names a
 * commit that is not what ran); 'unknown' when git is absent or `cwd` is not a checkout.
 */
export function gitCommit(cwd: string = REPO_DIR): string {
  try {
    const git = (args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
    const commit = git(['rev-parse', '--short', 'HEAD']).trim();
    if (!/^[0-9a-f]{4,40}$/.test(commit)) return UNKNOWN_APP_VERSION;
    // Tracked files only: untracked outputs (results, reports) do not change what runs.
    return git(['status', '--porcelain', '--untracked-files=no']).trim() === '' ? commit : `${commit}-dirty`;
  } catch {
    return UNKNOWN_APP_VERSION;
  }
}

/** sha256 of a file's bytes, as the browser computes it for a dropped ground truth. */
export async function fileSha256(path: string): Promise<string | null> {
  return sha256Hex(await readFile(path));
}
