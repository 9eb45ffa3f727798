import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

/**
 * Thumbline's pages (dashboard, demo storefront, API docs) load only their own scripts,
 * styles and API: an injected script or a foreign origin has nothing to load or call, and
 * no site may frame them (clickjacking the CSAT toggle or the SQL console).
 */
const POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  // Favicons and Swagger UI's icons are data: URLs.
  imgSrc: ["'self'", 'data:'],
  // 'self' covers the Socket.IO WebSocket on the same host and port.
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

const COMMON = {
  xFrameOptions: 'DENY',
  referrerPolicy: 'no-referrer',
  xContentTypeOptions: 'nosniff',
  // HTTPS is the operator's proxy's business: HSTS on a plain-HTTP localhost would be wrong.
  strictTransportSecurity: false,
} as const;

/** Security headers (CSP, frame-ancestors/X-Frame-Options, nosniff, no referrer) for pages. */
export const pageHeaders: MiddlewareHandler = secureHeaders({ ...COMMON, contentSecurityPolicy: POLICY });

/**
 * The same for the demo storefront, whose mock product page colours its swatches with
 * style attributes; scripts stay as strict.
 */
export const demoPageHeaders: MiddlewareHandler = secureHeaders({
  ...COMMON,
  contentSecurityPolicy: { ...POLICY, styleSrcAttr: ["'unsafe-inline'"] },
});
