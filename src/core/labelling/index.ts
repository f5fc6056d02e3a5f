/** Label mode's pure core: documents, edits, undo/redo, skeletons, pre-labelling and COCO in and out. */
export type * from './labelTypes';
export { HISTORY_LIMIT, canRedo, canUndo, commit, redo, startHistory, undo } from './labelHistory';
export {
  acceptImage,
  acceptPerson,
  addPerson,
  deletePerson,
  emptyDocument,
  ensureImage,
  isCrowd,
  isJudged,
  isTouched,
  markReviewed,
  moveKeypoint,
  setBox,
  setImageStatus,
  setVisibility,
} from './labelEdits';
export { PRELABEL_BOX_MARGIN, baseName, keypointBox, normaliseBox, personAreaPx2, type ImageSize } from './labelGeometry';
export {
  addEdge,
  addKeypoint,
  clearMirrorPair,
  estimateSigmas,
  exportsSigmas,
  keypointNameProblem,
  pairTwiceLabelled,
  removeEdge,
  removeKeypoint,
  renameKeypoint,
  setCategory,
  setMirrorPair,
  setSigma,
  setSigmas,
  setUniformSigmas,
  skeletonCategory,
  skeletonFromCategory,
  skeletonFromLayout,
  skeletonLayout,
  skeletonWarnings,
  validateSkeleton,
  type SigmaEstimate,
  type TwiceLabelledPair,
} from './labelSkeleton';
export {
  clearMappingTable,
  correctionsSentence,
  labelMapping,
  placedKeypoints,
  prelabelCorrections,
  prelabelImage,
  setMappingEntry,
  type LabelMapping,
  type PrelabelOptions,
} from './prelabel';
export { exportCoco, exportSummary, importCoco, type AppImage, type ExportSummary, type ImportedCoco } from './labelCoco';
