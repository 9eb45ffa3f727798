export { openClickHouse, type ClickHouse, type ClickHouseConfig } from './client.ts';
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
  toDateTime64,
  writeBatch,
  type BatchRows,
  type ChangeRow,
  type ConversationRow,
  type EventRow,
} from './batch.repo.ts';
export { dailyFeedback, type DailyFeedback } from './feedback.repo.ts';
