/** --help texts, generated from the option tables in args.ts so no option goes undocumented. */

import { PROTOCOL_DESCRIPTIONS } from '../core/evaluation/protocol';
import { MODELS } from '../inference/modelCatalogue';
import { OPTIONS, type CommandName, type OptionSpec } from './args';

export const PROGRAM = 'keypoint-bench';

const SUMMARIES: Record<CommandName, string> = {
  eval: 'Run pretrained pose models on a folder of images in Node (tfjs WASM backend) and score them against COCO ground truth.',
  score: 'Score an existing COCO keypoint results file against COCO ground truth (pycocotools-identical stats, plus PCK).',
};

const USAGES: Record<CommandName, string> = {
  eval: `${PROGRAM} eval --images DIR --gt annotations.json [--models ID,ID] [--protocol whole|crops] [--out DIR] [options]`,
  score: `${PROGRAM} score --gt annotations.json --results results.json [--json] [--alpha A] [--normalizer bbox|torso]`,
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

function modelLines(): string[] {
  const width = Math.max(...MODELS.map((m) => m.id.length)) + 2;
  return MODELS.map((m) => `  ${m.id.padEnd(width)}${m.displayName} (${m.keypointLayout === 'coco17' ? 'COCO-17' : 'BlazePose-33, scored as COCO-17'}${m.multiPerson ? ', multi-person' : ''})`);
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
  } else {
    sections.push(
      [
        'Every image of the ground truth is scored, as pycocotools does (images without detections count as misses).',
        'Detections that do not parse are skipped with a warning; pycocotools would refuse such a file.',
      ].join('\n'),
    );
  }
  sections.push('Exit status: 0 done, 1 bad input (unreadable or malformed file, no matching image), 2 bad arguments.');
  return sections.join('\n\n') + '\n';
}

export function mainHelp(): string {
  return [
    `${PROGRAM}: compare pretrained pose models against COCO keypoint ground truth, headless.`,
    `Usage:\n  ${USAGES.eval}\n  ${USAGES.score}\n  ${PROGRAM} <command> --help`,
    `Commands:\n  eval    ${SUMMARIES.eval}\n  score   ${SUMMARIES.score}`,
    `Model ids:\n${modelLines().join('\n')}`,
    'Exit status: 0 done, 1 bad input, 2 bad arguments.',
  ].join('\n\n') + '\n';
}
