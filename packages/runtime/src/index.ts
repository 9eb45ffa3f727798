export { writeFileAtomic } from './atomic-file.ts';
export { dataPaths, envShape, loadEnv, loadEnvOrExit, type Env } from './config.ts';
export { REDIS_MISSING_MESSAGE, startLocalRedis, type LocalRedis } from './local-redis.ts';
export { memoryShares, openRedisServices, openServices, type RedisServices, type Services } from './services.ts';
export { closeServer, listen, onShutdown } from './process.ts';
export { runRole, type RoleSpec } from './role.ts';
export { restoreRedisSnapshot, snapshotRedis } from './redis-snapshot.ts';
