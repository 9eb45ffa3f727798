export { dataPaths, envShape, loadEnv, type Env } from './config.ts';
export { REDIS_MISSING_MESSAGE, startLocalRedis, type LocalRedis } from './local-redis.ts';
export { openServices, type Services } from './services.ts';
export { closeServer, listen, onShutdown } from './process.ts';
