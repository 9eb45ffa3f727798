/** Table names, defined once; DDL lives in clickhouse/*.sql. */
export const TABLES = {
  events: 'events',
  /** Null engine with the columns of events: where rows are tried without being stored. */
  eventsGate: 'events_gate',
  feedbackChanges: 'feedback_changes',
  feedback15m: 'feedback_15m',
  conversations: 'conversations',
  migrations: 'schema_migrations',
} as const;
