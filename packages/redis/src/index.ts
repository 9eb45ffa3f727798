export {
  clusterSeeds,
  createRedis,
  createRedisClient,
  EDGE_COMMAND_TIMEOUT_MS,
  whenReady,
  type RedisClient,
  type RedisRole,
} from './client.ts';
export { DEFAULT_LEASES, PartitionLeases, type LeaseOptions } from './partition-leases.ts';
export { ensureInstall } from './install.ts';
export { committedWatermark, INFLIGHT_STALE_MS, withCommitStamp } from './commit-watermark.ts';
export { isRedisUnavailable } from './unavailable.ts';
export { luaScripts, runLua, script, type LuaScript } from './scripts.ts';
export { BacklogGuard, redisMaxMemory, type BacklogBytesLimits, type BacklogRefusal } from './backlog-guard.ts';
export { createKeys, DEFAULT_PARTITIONS, fnv1a, type AlertKeys, type Keys, type PartitionKeys } from './keys.ts';
export {
  ack,
  appendEvents,
  type AdmissionLimits,
  type AppendResult,
  claimStale,
  compareIds,
  ensureGroup,
  readGroup,
  streamLength,
  toStreamEntry,
  type StreamEntry,
} from './event-stream.ts';
export {
  EntriesGoneError,
  loadEntries,
  pinEntries,
  pinnedBefore,
  refsOf,
  trimDone,
  unpinEntries,
  type EntryRefs,
  processedUpTo,
} from './stream-pins.ts';
export {
  DEAD_EVENTS_KEPT,
  forgetDeadEventsBefore,
  listDeadEvents,
  recordDeadEvents,
  type DeadEvent,
} from './dead-events.store.ts';
export {
  CredentialStore,
  hashToken,
  isTokenShaped,
  newToken,
  originAllowed,
  type Credential,
  type CredentialKind,
  type Workspace,
} from './credential.store.ts';
export { SettingsStore } from './settings.store.ts';
export {
  changeReview,
  forgetReviewChange,
  NO_REVIEW,
  REVIEW_KEY_TTL_S,
  type ReviewChange,
  type ReviewChangeResult,
  type StoredReview,
} from './review.store.ts';
export {
  deltasSince,
  DEFAULT_LIVE_BUDGET,
  LIVE_HISTORY,
  type LiveBudget,
  LIVE_STREAM_KEEP_MS,
  trimLiveStream,
  liveSeq,
  publishDelta,
  publishReview,
  readLive,
  type LiveEntry,
} from './live.ts';
export { conversationNeedles, eraseFromBuffers } from './erase-buffers.ts';
export { ERASURE_RECORD_TTL_S, ErasureStore, type ErasureRecord, type ErasureStatus } from './erasure.store.ts';
