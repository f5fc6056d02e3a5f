import type { Canvas2D } from './drawPoses';

/** One look for every exported page (comparison screenshot, metrics PNG). */
export const REPORT_STYLE = {
  backgroundColour: '#15171c',
  titleColour: '#ffffff',
  textColour: '#c8ccd4',
  passColour: '#34c759',
  failColour: '#ff6b6b',
  titleFont: '600 22px system-ui, sans-serif',
  textFont: '14px system-ui, sans-serif',
  boldTextFont: '600 14px system-ui, sans-serif',
  headingFont: '600 15px system-ui, sans-serif',
} as const;

/** Paints the page background and leaves `ctx` ready to paint the title (top baseline, title font and colour). */
export function beginReportPage(ctx: Canvas2D, size: { width: number; height: number }): void {
  ctx.fillStyle = REPORT_STYLE.backgroundColour;
  ctx.fillRect(0, 0, size.width, size.height);
  ctx.textBaseline = 'top';
  ctx.fillStyle = REPORT_STYLE.titleColour;
  ctx.font = REPORT_STYLE.titleFont;
}

/** Colour of a verdict line: pass, fail, or no verdict. */
export function verdictColour(pass: boolean | null): string {
  return pass === true ? REPORT_STYLE.passColour : pass === false ? REPORT_STYLE.failColour : REPORT_STYLE.textColour;
}
