export { AppError, isAppError } from './app-error.ts';
export { redactedError, redactQuoted } from './redact.ts';
export { createLogger, type Logger } from './logger.ts';
export { alertsEnv, clickhouseEnv, commonEnv, httpEnv, ingestEnv, parseEnv, redisEnv } from './env.ts';
export { createMetrics, type Metrics, type RedisMemoryReading } from './metrics.ts';
export { dependencyUnavailable, withDeadline } from './deadline.ts';
export { batchTrace, currentTraceparent, joinTrace, setTracer, spanContextOf, traced, tracingOn } from './tracing.ts';
