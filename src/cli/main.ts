/**
 * Entry of the `keypoint-bench` CLI (started by bin/keypoint-bench.mjs through tsx). Parses the command line,
 * runs the command, and turns every failure into one line on stderr with a distinct exit status:
 * 2 for bad arguments, 1 for bad input (and anything unexpected), 0 otherwise.
 */

import { CocoEvalError } from '../core/metrics/cocoEval';
import { InputError, UsageError, parseArgs, type ParsedArgs } from './args';
import { PROGRAM, commandHelp, mainHelp } from './help';
import { processIo, type CliIo } from './terminal';

export const EXIT_OK = 0;
export const EXIT_INPUT = 1;
export const EXIT_USAGE = 2;

/** Error text squeezed onto one line: the contract is one line per failure. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** Runs the CLI with `argv` (without node and the script); resolves with the exit status. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let args: ParsedArgs;
  try {
    args = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const where = error.command ? `${PROGRAM} ${error.command}` : PROGRAM;
    io.stderr(`${where}: ${oneLine(error.message)} (see \`${where} --help\`)\n`);
    return EXIT_USAGE;
  }
  try {
    switch (args.command) {
      case 'help':
        io.stdout(args.topic ? commandHelp(args.topic) : mainHelp());
        return EXIT_OK;
      case 'version': {
        const { readFile } = await import('node:fs/promises');
        const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
        io.stdout(`${PROGRAM} ${pkg.version}\n`);
        return EXIT_OK;
      }
      case 'score': {
        const { runScore } = await import('./scoreCommand');
        await runScore(args, io);
        return EXIT_OK;
      }
      case 'predict': {
        const { runPredict } = await import('./predictCommand');
        await runPredict(args, io);
        return EXIT_OK;
      }
      case 'eval': {
        // Loaded only here: it pulls in tfjs, which --help, score and argument errors do not need.
        const { runEval } = await import('./evalCommand');
        await runEval(args, io);
        return EXIT_OK;
      }
    }
  } catch (error) {
    const where = `${PROGRAM} ${args.command}`;
    if (error instanceof InputError || error instanceof CocoEvalError) {
      io.stderr(`${where}: error: ${oneLine(error.message)}\n`);
      return EXIT_INPUT;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`${where}: unexpected error: ${oneLine(message)}${process.env.KEYPOINT_BENCH_DEBUG ? '' : ' (set KEYPOINT_BENCH_DEBUG=1 for the stack)'}\n`);
    if (process.env.KEYPOINT_BENCH_DEBUG && error instanceof Error && error.stack) io.stderr(error.stack + '\n');
    return EXIT_INPUT;
  }
}
