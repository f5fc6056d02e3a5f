#!/usr/bin/env node
// `keypoint-bench` command: runs the TypeScript CLI (src/cli/main.ts) in this process through tsx's module
// loader, so the CLI runs the very sources the app and the tests use, with no separate build step.
let register;
try {
  ({ register } = await import('tsx/esm/api'));
} catch {
  process.stderr.write('keypoint-bench: error: tsx is not installed (a devDependency of this project): run `npm install` in the project first\n');
  process.exit(1);
}
register();
const { main } = await import('../src/cli/main.ts');
const status = await main(process.argv.slice(2));
// tfjs may keep handles open after the work is done; leave once stdout and stderr have drained.
process.stdout.write('', () => process.stderr.write('', () => process.exit(status)));
