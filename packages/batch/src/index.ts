export {
  applyState,
  processBatch,
  type BatchDeps,
  type StateDeps,
  type BatchOutcome,
  type StageSeconds,
} from './pipeline.ts';
export { batchEvents, entryTime, firstEntryId, loadBatch, type BatchData, type BatchEvent } from './stages/load.ts';
export { batchRows, eventRows, stateItem, summaryRows } from './rows.ts';
export { workspaceDeltas, type WorkspaceDelta } from './deltas.ts';
export { BatchRecord, decodeResolution, encodeResolution } from './batch-record.ts';
export { ArchiveSchedule, clickHouseArchive, type Archive } from './state/archive.ts';
export type { StateOptions } from './state/hot.ts';
export { conversationStateField, eraseConversationState, eraseFromCachedResolutions } from './state/erase.ts';
