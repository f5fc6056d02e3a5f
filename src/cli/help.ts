/** --help texts, generated from the option tables in args.ts so no option goes undocumented. */

import { PROTOCOL_DESCRIPTIONS } from '../core/evaluation/protocol';
import { layoutById } from '../core/layouts';
import { MODELS } from '../inference/modelCatalogue';
import { OPTIONS, type CommandName, type OptionSpec } from './args';

export const PROGRAM = 'keypoint-bench';

const SUMMARIES: Record<CommandName, string> = {
  eval: 'Run pretrained pose models on a folder of images in Node (tfjs WASM backend) and score them against COCO ground truth.',
  score: 'Score an existing COCO keypoint results file against COCO ground truth (pycocotools-identical stats, plus PCK).',
  predict: "Run pretrained models on a folder of images without ground truth and write each model's predictions as COCO keypoints in its own layout.",
};

const USAGES: Record<CommandName, string> = {
  eval: `${PROGRAM} eval --images DIR --gt annotations.json [--models ID,ID] [--protocol whole|crops] [--out DIR] [options]`,
  score: `${PROGRAM} score --gt annotations.json --results results.json [--json] [--alpha A] [--normalizer bbox|torso] [--sigmas FILE|LIST] [--bootstrap N] [--seed S] [--no-errors]`,
  predict: `${PROGRAM} predict --images DIR [--models ID,ID] [--out DIR]`,
};

/** Word-wraps `text` to `width` columns, continuation lines indented by `indent` spaces. */
function wrap(text: string, width: number, indent: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > width - indent) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines.join('\n' + ' '.repeat(indent));
}

function optionLines(specs: readonly OptionSpec[]): string[] {
  const labels = specs.map((s) => `--${s.name}${s.valueName ? ` ${s.valueName}` : ''}`);
  const labelWidth = Math.max(...labels.map((l) => l.length)) + 2;
  return specs.map((spec, i) => {
    const extra = [spec.required ? 'required' : null, spec.defaultText ? `default: ${spec.defaultText}` : null].filter(Boolean);
    const text = `${spec.description}${extra.length > 0 ? ` (${extra.join('; ')})` : ''}`;
    return `  ${labels[i]!.padEnd(labelWidth)}${wrap(text, 100, 2 + labelWidth)}`;
  });
}

/** What --bootstrap and the error taxonomy add, for both commands. */
const ANALYSIS_HELP = [
  'Intervals: unless --bootstrap 0, every statistic is printed with its 95% bootstrap interval, "0.416 [0.341, 0.499]":',
  'the images are resampled with replacement N times (percentile intervals, the same job and wording as the app), all',
  'columns on the same draws, so each column is also compared with the best-AP one as a paired difference',
  '("significant" when its interval excludes 0). With targets, each is judged on the interval: PASS (all of it meets',
  'the target), FAIL (none of it does) or INCONCLUSIVE (it straddles the target; about how many more labelled people',
  'or images would likely settle it). The same seed gives the same intervals.',
  'Error taxonomy: unless --no-errors, the coco-analyze breakdown (Ronchi & Perona, ICCV 2017) per column: the labelled',
  'keypoints of matched detections as Good / Jitter / Inversion / Swap / Miss, background false positives and false',
  'negatives at OKS 0.50 and 0.75, the AP each error type would gain if fixed (area all, mean ± std over OKS .50:.95, as',
  "the tool's bar chart), and the classes per keypoint. As in the tool, persons and detections under 32² px are left out.",
].join('\n');

function modelLines(): string[] {
  const width = Math.max(...MODELS.map((m) => m.id.length)) + 2;
  return MODELS.map((m) => `  ${m.id.padEnd(width)}${m.displayName} (${layoutById(m.keypointLayout).displayName}${m.multiPerson ? ', multi-person' : ''})`);
}

export function commandHelp(command: CommandName): string {
  const sections = [`${SUMMARIES[command]}\n\nUsage: ${USAGES[command]}`, `Options:\n${optionLines(OPTIONS[command]).join('\n')}`];
  if (command === 'eval') {
    sections.push(`Model ids (weights from models/, placed by \`npm install\` / \`npm run models\`):\n${modelLines().join('\n')}`);
    sections.push(
      `Protocols:\n${(['whole', 'crops'] as const).map((p) => `  ${p.padEnd(7)}${wrap(PROTOCOL_DESCRIPTIONS[p], 100, 9)}`).join('\n')}`,
    );
    sections.push(
      [
        'Images match ground-truth images by file name (the basename of file_name); files without ground truth and',
        'ground-truth images without a file are listed as warnings. Progress goes to stderr, the metrics table to stdout.',
        'Latency is model time in milliseconds after one warm-up run: ms/image is the median per image, all the inferences the image needed (under crops: one per person); ms/inference is one inference (one whole image or one crop): per image its time ÷ its inferences, median over the images. The latency target is per image.',
      ].join('\n'),
    );
    sections.push(
      `${ANALYSIS_HELP}\nFiles: intervals.json and intervals.csv (one row per column and statistic, then one per pair) with the intervals, ` +
        'paired differences and interval verdicts; errors.json with the taxonomy. metrics.json keeps the point estimates only.',
    );
  } else if (command === 'predict') {
    sections.push(`Model ids (weights from models/, placed by \`npm install\` / \`npm run models\`):\n${modelLines().join('\n')}`);
    sections.push(
      [
        "Each model runs once per image on the whole image ('still' mode, at most 1600 px, as in the app). Its file is a",
        "COCO keypoints file in the model's own layout: pycocotools' COCO() and this app read it as ground truth (every",
        'keypoint placed, v = 2; the model confidence in keypoint_scores), its annotations as COCO results. Depth (keypoints_z),',
        'metric 3D keypoints (world_keypoints, world_unit) and labels such as handedness are extra fields.',
      ].join('\n'),
    );
  } else {
    sections.push(
      [
        'Every image of the ground truth is scored, as pycocotools does (images without detections count as misses).',
        'Detections that do not parse are skipped with a warning; pycocotools would refuse such a file.',
      ].join('\n'),
    );
    sections.push(
      `${ANALYSIS_HELP}\nA results file has no timing, so there is no latency interval. --json adds them as "intervals" and "errors" ` +
        '(null when turned off). Progress of the bootstrap shows only on a terminal.',
    );
  }
  sections.push('Exit status: 0 done, 1 bad input (unreadable or malformed file, no matching image), 2 bad arguments.');
  return sections.join('\n\n') + '\n';
}

export function mainHelp(): string {
  return [
    `${PROGRAM}: compare pretrained pose models against COCO keypoint ground truth, headless.`,
    `Usage:\n  ${USAGES.eval}\n  ${USAGES.score}\n  ${USAGES.predict}\n  ${PROGRAM} <command> --help`,
    `Commands:\n  eval     ${SUMMARIES.eval}\n  score    ${SUMMARIES.score}\n  predict  ${SUMMARIES.predict}`,
    `Model ids:\n${modelLines().join('\n')}`,
    'Exit status: 0 done, 1 bad input, 2 bad arguments.',
  ].join('\n\n') + '\n';
}
