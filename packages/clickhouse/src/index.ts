export {
  DEFAULT_TIMEOUTS,
  isClickHouseUnavailable,
  openClickHouse,
  type ClickHouse,
  type ClickHouseConfig,
  type ClickHouseTimeouts,
} from './client.ts';
export { settingsClause, type Settings } from './settings.ts';
export { TABLES } from './tables.ts';
export {
  loadMigrations,
  migrate,
  migrationsApplied,
  MIGRATIONS_DIR,
  splitStatements,
  type Migration,
} from './migrate.ts';
export {
  clusterBootstrap,
  ClusterDdl,
  ClusterDdlError,
  clusterMigrations,
  LOCAL_SUFFIX,
  SHARDING_KEY,
  type ClusterTarget,
} from './cluster-ddl.ts';
export { clusterSettings, clusterTopology, onCluster, withSettings, type ClusterTopology } from './cluster.ts';
export {
  toDateTime64,
  writeEvents,
  writeChanges,
  writeConversations,
  type SummaryTable,
  type BatchRows,
  type ChangeRow,
  type ConversationRow,
  type EventRow,
} from './batch.repo.ts';
export { isDataError, refusedRows, type RefusedRow } from './refused-rows.ts';
export {
  dailyFeedback,
  feedbackBreakdown,
  type BreakdownKey,
  type DailyFeedback,
  type FeedbackSums,
  type FeedbackWindow,
} from './feedback.repo.ts';
export { GAP_SIMILARITY, gapAnswers, knowledgeGaps, type KnowledgeGap } from './knowledge-gaps.repo.ts';
export { GAP_MARKS_LIMIT, gapMarks, markGapAnswered, unmarkGapAnswered } from './knowledge-gap-marks.repo.ts';
export { knownTimeZones } from './time-zones.repo.ts';
export {
  SOURCE_ANSWERS_LIMIT,
  sourceAnswers,
  sourceRanking,
  SOURCES_LIMIT,
  type SourceAnswer,
  type SourceRank,
  type SourcesQuery,
} from './sources.repo.ts';
export {
  conversationMessages,
  conversationPage,
  conversationSummary,
  type ConversationPage,
  type ConversationSummaryRow,
  type FeedbackFilter,
  type MessageRow,
} from './conversations.repo.ts';
export { firstShopperMessages, searchCondition, searchWords } from './conversation-search.repo.ts';
export {
  latestReviews,
  reviewCondition,
  triageCounts,
  writeReview,
  type ReviewFilter,
  type ReviewRow,
  type TriageCounts,
  type TriageWindow,
} from './reviews.repo.ts';
export {
  ANALYST_SQL_CAPS,
  runAnalystSql,
  type AnalystSqlCaps,
  type AnalystSqlParam,
  type AnalystSqlResult,
} from './analyst-sql.repo.ts';
export { ANALYST_TABLES, AnalystViews, analystDatabase, analystViewStatements } from './analyst-views.ts';
export { analystUserName, analystUserStatements, type AnalystUserSpec } from './analyst-users.ts';
export type { CompactResult } from './client.ts';
export { languageOf, segmentCondition, type Segment, type SegmentColumns } from './segment.ts';
export { clickHouseOverPort, serveClickHouse } from './clickhouse-port.ts';
export { alertBuckets, type AlertBucket, type SegmentSums } from './alert-buckets.repo.ts';
export { archivedStates, archiveStates, type ArchivedKind, type ArchivedState } from './state-archive.repo.ts';
export { applyRetention, DEFAULT_RETENTION, retentionTtls, type Retention } from './retention.ts';
export { conversationsOfShopper, eraseConversationRows, MAX_SHOPPER_CONVERSATIONS } from './erasure.repo.ts';
export { backupDatabase, restoreDatabase } from './backup.repo.ts';
