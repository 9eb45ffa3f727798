export { bearerToken, requireToken, type AuthVariables } from './auth.ts';
export { jsonDepth, limitBody, MAX_JSON_DEPTH, MAX_REQUEST_BODY_BYTES } from './body-limit.ts';
export { errorJson, handleError, notFound, requireJsonBody } from './errors.ts';
export { mountOps, type OpsOptions, type ReadinessCheck } from './ops.route.ts';
export { createRouter } from './router.ts';
export { demoPageHeaders, pageHeaders } from './secure-headers.ts';
export { allowOrigin, authenticateWidget, preflight } from './widget-auth.ts';
export { clientAddress } from './client-address.ts';
export { areaOf, requestMetrics } from './request-metrics.ts';
