import { describe, expect, it } from 'vitest';
import { Progress, formatStat, formatTable, type CliIo } from '../../../src/cli/terminal';

function io(tty: boolean, columns?: number): CliIo & { err: string } {
  const sink = { err: '', stdout: () => undefined, stderr: (t: string) => void (sink.err += t), stderrIsTty: tty, columns };
  return sink;
}

describe('Progress', () => {
  it('prints plain lines when stderr is not a terminal', () => {
    const out = io(false);
    const progress = new Progress(out);
    progress.update('image 1/8 · movenet-lightning · 31 ms');
    progress.warn('x.jpg: skipped');
    progress.update('image 2/8 · movenet-lightning · 30 ms');
    progress.finish();
    expect(out.err).toBe('image 1/8 · movenet-lightning · 31 ms\nwarning: x.jpg: skipped\nimage 2/8 · movenet-lightning · 30 ms\n');
  });

  it('redraws one line on a terminal, keeps warnings above it, cuts it to the width (columns - 1), and clears it at the end', () => {
    const out = io(true, 30);
    const progress = new Progress(out);
    progress.update('image 1/8 · a');
    progress.warn('bad');
    progress.update('image 2/8 · a very long model name that does not fit');
    progress.finish();
    expect(out.err).toBe(
      '\r\x1b[2Kimage 1/8 · a' +
        '\r\x1b[2Kwarning: bad\nimage 1/8 · a' +
        '\r\x1b[2Kimage 2/8 · a very long mode…' +
        '\r\x1b[2K',
    );
    expect(out.err.includes('\n\n')).toBe(false);
  });
});

describe('formatting', () => {
  it('prints stats like pycocotools and -1 as n/a', () => {
    expect(formatStat(0.0625)).toBe('0.062');
    expect(formatStat(-1)).toBe('n/a');
    expect(formatStat(null)).toBe('n/a');
  });

  it('aligns a table: names left, numbers right', () => {
    expect(formatTable(['Model', 'AP'], [['a', '0.5'], ['longer', '0.25']])).toBe('Model     AP\na        0.5\nlonger  0.25\n');
  });
});
