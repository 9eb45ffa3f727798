export { bearerToken, requireToken, type AuthVariables } from './auth.ts';
export { errorJson, handleError, notFound, requireJsonBody } from './errors.ts';
export { mountOps, type OpsOptions, type ReadinessCheck } from './ops.route.ts';
export { createRouter } from './router.ts';
export { allowOrigin, authenticateWidget, preflight } from './widget-auth.ts';
