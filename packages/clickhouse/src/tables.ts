/** Table names, defined once; DDL lives in clickhouse/*.sql. */
export const TABLES = {
  events: 'events',
  /** Null engine with the columns of events: where rows are tried without being stored. */
  eventsGate: 'events_gate',
  feedbackChanges: 'feedback_changes',
  feedback15m: 'feedback_15m',
  conversations: 'conversations',
  /** Review changes of conversations, latest version wins (CONTRACT §12, ADR 0013). */
  conversationReviews: 'conversation_reviews',
  /** Cold tier of the worker's message and conversation state (ADR 0010). */
  stateArchive: 'state_archive',
  /** Knowledge gaps marked answered (CONTRACT §13). */
  knowledgeGapMarks: 'knowledge_gap_marks',
  migrations: 'schema_migrations',
} as const;
