#!/usr/bin/env node
// Draws the app's icons (a pose skeleton on the app's background) into public/: icon.svg, icon-192.png,
// icon-512.png and icon-maskable-512.png (the figure inside the maskable safe zone, full-bleed background).
// One geometry for all of them; the PNGs are rasterised here with analytic anti-aliasing (distance to each
// stroke), so nothing is copied from anywhere. Usage: node scripts/make-icons.mjs
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { projectRoot } from './static-assets.mjs';

const BACKGROUND = [0x11, 0x13, 0x18];
const BONE = [0x4f, 0x8c, 0xff];
const JOINT = [0xe6, 0xe8, 0xec];

/** Keypoints in a unit square (x right, y down): a person with the right arm raised. */
const P = {
  head: [0.5, 0.2],
  neck: [0.5, 0.33],
  lShoulder: [0.37, 0.36],
  rShoulder: [0.63, 0.36],
  lElbow: [0.29, 0.5],
  rElbow: [0.74, 0.26],
  lWrist: [0.25, 0.64],
  rWrist: [0.8, 0.13],
  lHip: [0.42, 0.6],
  rHip: [0.58, 0.6],
  lKnee: [0.39, 0.76],
  rKnee: [0.63, 0.75],
  lAnkle: [0.36, 0.91],
  rAnkle: [0.68, 0.9],
};
const BONES = [
  ['neck', 'lShoulder'], ['neck', 'rShoulder'], ['lShoulder', 'lElbow'], ['lElbow', 'lWrist'],
  ['rShoulder', 'rElbow'], ['rElbow', 'rWrist'], ['lShoulder', 'lHip'], ['rShoulder', 'rHip'], ['lHip', 'rHip'],
  ['lHip', 'lKnee'], ['lKnee', 'lAnkle'], ['rHip', 'rKnee'], ['rKnee', 'rAnkle'], ['neck', 'head'],
];
const BONE_WIDTH = 0.045;
const JOINT_RADIUS = 0.032;
const HEAD_RADIUS = 0.065;

/** Figure scale about the centre and the corner radius of the background (0: square, full-bleed). */
const VARIANTS = {
  any: { scale: 0.86, cornerRadius: 0.2 },
  // Maskable icons are cropped to a circle of 80% of the size: the figure stays inside it.
  maskable: { scale: 0.62, cornerRadius: 0 },
};

const place = ([x, y], scale) => [0.5 + (x - 0.5) * scale, 0.5 + (y - 0.5) * scale];

function segmentDistance(px, py, [ax, ay], [bx, by]) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

function roundedSquareDistance(px, py, radius) {
  // Signed distance to a unit square with rounded corners (negative inside).
  const qx = Math.abs(px - 0.5) - (0.5 - radius);
  const qy = Math.abs(py - 0.5) - (0.5 - radius);
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
}

function renderPng(sizePx, { scale, cornerRadius }) {
  const png = new PNG({ width: sizePx, height: sizePx });
  const pixel = 1 / sizePx;
  const coverage = (distance) => Math.max(0, Math.min(1, 0.5 - distance / pixel));
  const bones = BONES.map(([a, b]) => [place(P[a], scale), place(P[b], scale)]);
  const joints = Object.entries(P).map(([name, point]) => [place(point, scale), (name === 'head' ? HEAD_RADIUS : JOINT_RADIUS) * scale]);
  for (let y = 0; y < sizePx; y++) {
    for (let x = 0; x < sizePx; x++) {
      const px = (x + 0.5) * pixel;
      const py = (y + 0.5) * pixel;
      let colour = BACKGROUND;
      const over = (top, alpha) => (colour = colour.map((c, i) => c + (top[i] - c) * alpha));
      let boneDistance = Infinity;
      for (const [a, b] of bones) boneDistance = Math.min(boneDistance, segmentDistance(px, py, a, b) - (BONE_WIDTH * scale) / 2);
      over(BONE, coverage(boneDistance));
      let jointDistance = Infinity;
      for (const [[cx, cy], r] of joints) jointDistance = Math.min(jointDistance, Math.hypot(px - cx, py - cy) - r);
      over(JOINT, coverage(jointDistance));
      const alpha = cornerRadius > 0 ? coverage(roundedSquareDistance(px, py, cornerRadius)) : 1;
      const i = (y * sizePx + x) * 4;
      png.data[i] = Math.round(colour[0]);
      png.data[i + 1] = Math.round(colour[1]);
      png.data[i + 2] = Math.round(colour[2]);
      png.data[i + 3] = Math.round(alpha * 255);
    }
  }
  return PNG.sync.write(png);
}

function renderSvg({ scale, cornerRadius }) {
  const n = (v) => Number((v * 512).toFixed(1));
  const hexColour = (c) => `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
  const lines = BONES.map(([a, b]) => {
    const [[x1, y1], [x2, y2]] = [place(P[a], scale), place(P[b], scale)];
    return `<line x1="${n(x1)}" y1="${n(y1)}" x2="${n(x2)}" y2="${n(y2)}"/>`;
  });
  const circles = Object.entries(P).map(([name, point]) => {
    const [cx, cy] = place(point, scale);
    return `<circle cx="${n(cx)}" cy="${n(cy)}" r="${n((name === 'head' ? HEAD_RADIUS : JOINT_RADIUS) * scale)}"/>`;
  });
  return [
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">',
    `<rect width="512" height="512" rx="${n(cornerRadius)}" fill="${hexColour(BACKGROUND)}"/>`,
    `<g stroke="${hexColour(BONE)}" stroke-width="${n(BONE_WIDTH * scale)}" stroke-linecap="round">${lines.join('')}</g>`,
    `<g fill="${hexColour(JOINT)}">${circles.join('')}</g>`,
    '</svg>',
    '',
  ].join('\n');
}

const publicDir = join(projectRoot, 'public');
const outputs = [
  ['icon.svg', renderSvg(VARIANTS.any)],
  ['icon-192.png', renderPng(192, VARIANTS.any)],
  ['icon-512.png', renderPng(512, VARIANTS.any)],
  ['icon-maskable-512.png', renderPng(512, VARIANTS.maskable)],
];
for (const [name, bytes] of outputs) {
  writeFileSync(join(publicDir, name), bytes);
  console.log(`public/${name}: ${bytes.length} bytes`);
}
