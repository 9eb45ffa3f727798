/** Table names, defined once; DDL lives in clickhouse/*.sql. */
export const TABLES = {
  events: 'events',
  feedbackChanges: 'feedback_changes',
  feedback15m: 'feedback_15m',
  conversations: 'conversations',
  migrations: 'schema_migrations',
} as const;
