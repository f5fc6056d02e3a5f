import { REPORT_STYLE } from './reportPage';

/** Dark matches the app on screen; light is for documents and print, where a dark page wastes ink and reads poorly. */
export type ScreenshotThemeName = 'dark' | 'light';

/** Page colours of a screenshot export. Keypoint and model colours are not part of a theme: they stay as on screen. */
export interface ScreenshotTheme {
  name: ScreenshotThemeName;
  backgroundColour: string;
  titleColour: string;
  textColour: string;
  /** Cell captions: model name and latency under each picture. */
  captionColour: string;
  passColour: string;
  failColour: string;
  /** Behind a letterboxed picture, so the cell's extent stays visible on either page colour. */
  cellBackgroundColour: string;
  /** The thin rule between the pictures and the dataset-wide blocks. */
  ruleColour: string;
  /**
   * Behind the ground-truth legend swatch: ground truth is drawn white with a dark outline (drawGroundTruth.ts),
   * made to read over photos, so the swatch gets a photo-like mid-grey tile instead of the page colour.
   */
  groundTruthTileColour: string;
}

export const SCREENSHOT_THEMES: Readonly<Record<ScreenshotThemeName, ScreenshotTheme>> = {
  dark: {
    name: 'dark',
    backgroundColour: REPORT_STYLE.backgroundColour,
    titleColour: REPORT_STYLE.titleColour,
    textColour: REPORT_STYLE.textColour,
    captionColour: '#e6e8ec',
    passColour: REPORT_STYLE.passColour,
    failColour: REPORT_STYLE.failColour,
    cellBackgroundColour: '#0b0c0f',
    ruleColour: '#3a3f4a',
    groundTruthTileColour: '#5b616e',
  },
  light: {
    name: 'light',
    backgroundColour: '#ffffff',
    titleColour: '#111318',
    textColour: '#30343c',
    captionColour: '#1d2026',
    // Darker than the screen's green and red: those are made for a dark page and are too pale on white paper.
    passColour: '#1a7f37',
    failColour: '#c62828',
    cellBackgroundColour: '#eceef2',
    ruleColour: '#c4c8d0',
    groundTruthTileColour: '#5b616e',
  },
};

/** Colour of a verdict line in a theme: pass, fail, or no verdict. */
export function themeVerdictColour(theme: ScreenshotTheme, pass: boolean | null): string {
  return pass === true ? theme.passColour : pass === false ? theme.failColour : theme.textColour;
}
