export {
  conversationCsatSchema,
  conversationCsatPromptedSchema,
  conversationResolvedSchema,
  conversationStartedSchema,
  EVENT_TYPES,
  eventSchema,
  ingestBodySchema,
  ingestResponseSchema,
  messageCreatedSchema,
  MAX_SOURCES,
  messageFeedbackSchema,
  PUBLIC_EVENT_TYPES,
  rejectionSchema,
  sourceSchema,
  tsSchema,
  type AcceptedEvent,
  type Event,
  type EventType,
} from './event.schema.ts';
export { errorSchema, type ErrorBody } from './error.schema.ts';
export {
  overviewQuerySchema,
  overviewSchema,
  segmentQuery,
  type Overview,
  type OverviewQuery,
} from './overview.schema.ts';
export { validateEvent, type EventVerdict } from './validate-event.ts';
export { citations, type Citation } from './source-citations.ts';
export { illFormedField, isWellFormed } from './well-formed.ts';
export {
  autoEndCopyBodySchema,
  autoEndCopySchema,
  canonicalLocale,
  DEFAULT_AUTO_END_COPY,
  localeFallbacks,
  localeSchema,
  widgetConfigSchema,
  widgetIdSchema,
  widgetSettingsBodySchema,
  widgetSettingsSchema,
  type AutoEndCopy,
  type WidgetConfig,
  type WidgetSettings,
} from './settings.schema.ts';
export { knowledgeGapsQuerySchema, knowledgeGapsSchema, type KnowledgeGaps } from './knowledge-gaps.schema.ts';
export {
  GAP_SOURCES,
  groupQuestions,
  type AskedQuestion,
  type GapCitation,
  type GapOptions,
  type GapSource,
  type KnowledgeGap,
} from './knowledge-gap-groups.ts';
export { plainQuestionText, questionKey, questionLanguage } from './question-key.ts';
export { segmentQuerySchema, type SegmentQuery } from './segment.schema.ts';
export {
  sourceAnswersParamsSchema,
  sourceAnswersQuerySchema,
  sourceAnswersSchema,
  sourcesQuerySchema,
  sourcesSchema,
  type SourceAnswers,
  type Sources,
} from './sources.schema.ts';
export {
  conversationDetailSchema,
  conversationListSchema,
  conversationsExportQuerySchema,
  conversationsQuerySchema,
  conversationSummarySchema,
  messageSchema,
  negativeReason,
  satisfaction,
  satisfactionSchema,
  type ConversationDetail,
  type ConversationsExportQuery,
  type ConversationsQuery,
  type ConversationSummary,
  type Satisfaction,
} from './conversation.schema.ts';
export { sqlParamSchema, sqlRequestSchema, sqlResultSchema, type SqlRequest, type SqlResult } from './sql.schema.ts';
export {
  bucketDeltaSchema,
  conversationChangeSchema,
  liveClosedSchema,
  liveDeltaSchema,
  segmentDeltaSchema,
  type BucketDelta,
  type SegmentDelta,
  type ConversationChange,
  type LiveDelta,
  type LiveClosed,
  type LiveCloseReason,
} from './live.schema.ts';
export { addDays, daysInclusive, eachDay, isDate, isTimeZone, todayIn } from './calendar.ts';
export {
  dateRangeQuery,
  dateRangeSchema,
  localDateSchema,
  MAX_DATE,
  MAX_RANGE_DAYS,
  MIN_DATE,
  type DateRange,
} from './date-range.schema.ts';
export { previousWindow, responseRate, round, summarizeOverview, thumbTotals, type DaySums } from './overview.ts';
export {
  breakdownItem,
  breakdownItemSchema,
  breakdownQuerySchema,
  breakdownSchema,
  type Breakdown,
  type BreakdownItem,
  type BreakdownQuery,
} from './breakdown.schema.ts';
export { inSegment, language, type SegmentFilter } from './segment.ts';
export {
  BLANK_CONVERSATION,
  receiveOrder,
  resolve,
  segmentOf,
  type BatchChange,
  type BatchConversation,
  type BatchItem,
  type BatchResolution,
  type ConversationState,
  type MessageState,
  type Segment,
  type Snapshot,
  type WorkspaceSnapshot,
  type WorkspaceWrites,
} from './batch-resolution.ts';
export {
  ALERT_EVENT_TYPES,
  ALERT_METRICS,
  alertConditionSchema,
  alertPayloadSchema,
  alertRuleBodySchema,
  alertRuleListSchema,
  alertRuleSchema,
  alertSegmentSchema,
  DEFAULT_BASELINE_MINUTES,
  DEFAULT_DROP_CONFIDENCE,
  deliveryAttemptSchema,
  deliveryListSchema,
  deliverySchema,
  MAX_BASELINE_MINUTES,
  type AlertCondition,
  type AlertEventType,
  type AlertMetric,
  type AlertPayload,
  type AlertRule,
  type AlertRuleBody,
  type AlertSegment,
  type Delivery,
  type DeliveryAttempt,
} from './alert.schema.ts';
export {
  erasureAcceptedSchema,
  erasureRequestSchema,
  erasureSchema,
  type Erasure,
  type ErasureJob,
  type ErasureRequest,
} from './erasure.schema.ts';
