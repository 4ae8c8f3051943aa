/**
 * History on disk: one SQLite file (WAL) per history, written by the memwatcher process in batches
 * and read by reports and the dashboard, also while it is being written. See README "History".
 */
export { DEFAULT_GC_PAUSE_BOUNDS_MS } from './gc-pause-bounds.ts';
export {
  type GcPauseQuery,
  HistoryReader,
  openHistoryReader,
  type SampleQuery,
} from './history-reader.ts';
export type * from './history-types.ts';
export { HistoryWriter, type HistoryWriterStats, openHistoryWriter } from './history-writer.ts';
export {
  DEFAULT_RETENTION,
  type RetentionOptions,
  type RetentionPolicy,
  type RetentionResult,
} from './retention.ts';
export type { HistoryWriterOptions } from './writer-options.ts';
