/** @module Diarization scoring: RTTM/UEM files and the diarization error rate. */
export {
  diarizationErrorRate,
  scoreFiles,
  sumComponents,
  type DerComponents,
  type DerOptions,
  type DerReport,
  type FileScore,
  type ScoreFilesOptions,
} from "./der.ts";
export { maxWeightAssignment } from "./hungarian.ts";
export { AnnotationFormatError, readRttm, writeRttm, type Turn } from "./rttm.ts";
export { readUem } from "./uem.ts";
