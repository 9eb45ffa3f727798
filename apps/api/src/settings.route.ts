import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { AppError } from '@thumbline/core';
import {
  autoEndCopyBodySchema,
  autoEndCopySchema,
  canonicalLocale,
  widgetConfigSchema,
  widgetIdSchema,
  widgetSettingsBodySchema,
  widgetSettingsSchema,
} from '@thumbline/events';
import {
  allowOrigin,
  authenticateWidget,
  type AuthVariables,
  errorResponse,
  jsonResponse,
  preflight,
  requireJsonBody,
} from '@thumbline/http';
import type { CredentialStore, SettingsStore } from '@thumbline/redis';

export interface SettingsDeps {
  store: CredentialStore;
  settings: SettingsStore;
}

const errors = {
  400: errorResponse('invalid_body, invalid_locale'),
  401: errorResponse('unauthorized'),
};
const widgetParams = z.object({ widget_id: widgetIdSchema });
const localeParams = z.object({ locale: z.string().max(35) });

function locale(raw: string): string {
  const canonical = canonicalLocale(raw);
  if (!canonical) throw new AppError('invalid_locale', 400, `locale: ${raw} is not a BCP 47 language tag`);
  return canonical;
}

const getWidget = createRoute({
  method: 'get',
  path: '/v1/settings/widgets/{widget_id}',
  summary: "A widget's settings (CSAT prompt on/off)",
  security: [{ bearer: [] }],
  request: { params: widgetParams },
  responses: { 200: jsonResponse(widgetSettingsSchema, 'Widget settings'), ...errors },
});

const putWidget = createRoute({
  method: 'put',
  path: '/v1/settings/widgets/{widget_id}',
  summary: 'Switch the CSAT prompt of a widget on or off',
  security: [{ bearer: [] }],
  request: {
    params: widgetParams,
    body: { content: { 'application/json': { schema: widgetSettingsBodySchema } }, required: true },
  },
  responses: { 200: jsonResponse(widgetSettingsSchema, 'Saved widget settings'), ...errors },
});

const getCopy = createRoute({
  method: 'get',
  path: '/v1/settings/languages/{locale}/auto-end',
  summary: 'Auto-end conversation (CSAT prompt) copy for a locale; built-in English until saved',
  security: [{ bearer: [] }],
  request: { params: localeParams },
  responses: { 200: jsonResponse(autoEndCopySchema, 'Prompt copy'), ...errors },
});

const putCopy = createRoute({
  method: 'put',
  path: '/v1/settings/languages/{locale}/auto-end',
  summary: 'Save the Auto-end conversation copy for a locale',
  security: [{ bearer: [] }],
  request: {
    params: localeParams,
    body: { content: { 'application/json': { schema: autoEndCopyBodySchema } }, required: true },
  },
  responses: { 200: jsonResponse(autoEndCopySchema, 'Saved copy'), ...errors },
});

const widgetConfig = createRoute({
  method: 'get',
  path: '/v1/widgets/{widget_id}/config',
  summary: "The widget's configuration (public key): CSAT on/off and prompt copy for a locale",
  description: 'Copy falls back from the exact locale to its language to `en`. Public key as Bearer or `?key=`.',
  security: [{ bearer: [] }],
  request: {
    params: widgetParams,
    query: z.object({ locale: z.string().max(35).optional(), key: z.string().optional() }),
  },
  responses: {
    200: jsonResponse(widgetConfigSchema, 'Widget configuration'),
    ...errors,
    403: errorResponse('origin_not_allowed'),
  },
});

/** Settings for dashboards (dashboard token) and the widget's public config. */
export function mountSettings(app: OpenAPIHono<{ Variables: AuthVariables }>, deps: SettingsDeps): void {
  app.openapi(getWidget, async (c) => {
    const ws = c.get('credential').workspace_id;
    return c.json(await deps.settings.widget(ws, c.req.valid('param').widget_id), 200);
  });

  app.on('PUT', ['/v1/settings/widgets/:widget_id', '/v1/settings/languages/:locale/auto-end'], requireJsonBody);
  app.openapi(putWidget, async (c) => {
    const ws = c.get('credential').workspace_id;
    const { widget_id } = c.req.valid('param');
    const saved = await deps.settings.saveWidget(ws, { widget_id, ...c.req.valid('json') });
    return c.json(saved, 200);
  });

  app.openapi(getCopy, async (c) => {
    const ws = c.get('credential').workspace_id;
    return c.json(await deps.settings.copy(ws, locale(c.req.valid('param').locale)), 200);
  });

  app.openapi(putCopy, async (c) => {
    const ws = c.get('credential').workspace_id;
    const saved = await deps.settings.saveCopy(ws, {
      ...c.req.valid('json'),
      locale: locale(c.req.valid('param').locale),
    });
    return c.json(saved, 200);
  });

  app.options('/v1/widgets/:widget_id/config', preflight);
  app.openapi(widgetConfig, async (c) => {
    const cred = await authenticateWidget(deps.store, c, allowOrigin(c));
    const { widget_id } = c.req.valid('param');
    const requested = c.req.valid('query').locale;
    const widget = await deps.settings.widget(cred.workspace_id, widget_id);
    const copy = await deps.settings.resolveCopy(cred.workspace_id, requested ? locale(requested) : 'en');
    return c.json({ widget_id, csat_enabled: widget.csat_enabled, auto_end: copy }, 200);
  });
}
