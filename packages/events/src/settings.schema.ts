import { z } from '@hono/zod-openapi';

/** A BCP 47 tag as the contract allows it (≤ 35 chars). */
export const localeSchema = z
  .string()
  .max(35)
  .regex(/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/, 'must be a BCP 47 language tag such as de or de-DE');

export const widgetIdSchema = z.string().min(1).max(64);

/** `GET|PUT /v1/settings/widgets/{widget_id}`. */
export const widgetSettingsSchema = z
  .object({
    widget_id: widgetIdSchema,
    csat_enabled: z.boolean().openapi({
      description:
        "Collect customer satisfaction feedback through a like or dislike rating after resolving the user's inquiry.",
    }),
  })
  .openapi('WidgetSettings');

export const widgetSettingsBodySchema = widgetSettingsSchema.pick({ csat_enabled: true }).openapi('WidgetSettingsBody');

const copyText = (max: number) => z.string().trim().min(1).max(max);

/** The five strings of the Auto-end conversation (CSAT) prompt. */
export const autoEndCopyBodySchema = z
  .object({
    title: copyText(200),
    negative_reason: copyText(200),
    negative_placeholder: copyText(500),
    negative_button: copyText(100),
    after_submission: copyText(500),
  })
  .openapi('AutoEndCopyBody');

/** `GET|PUT /v1/settings/languages/{locale}/auto-end`. */
export const autoEndCopySchema = autoEndCopyBodySchema.extend({ locale: localeSchema }).openapi('AutoEndCopy');

/** `GET /v1/widgets/{widget_id}/config` (public key), for the widget. */
export const widgetConfigSchema = z
  .object({
    widget_id: widgetIdSchema,
    csat_enabled: z.boolean(),
    auto_end: autoEndCopySchema,
  })
  .openapi('WidgetConfig');

export type WidgetSettings = z.infer<typeof widgetSettingsSchema>;
export type AutoEndCopy = z.infer<typeof autoEndCopySchema>;
export type WidgetConfig = z.infer<typeof widgetConfigSchema>;

/** Built-in English copy, used until a workspace writes its own. */
export const DEFAULT_AUTO_END_COPY: AutoEndCopy = {
  locale: 'en',
  title: 'How was your conversation?',
  negative_reason: 'Negative reason',
  negative_placeholder: 'Tell us what went wrong so we can do better',
  negative_button: 'Send feedback',
  after_submission: 'Thank you for your feedback!',
};

/**
 * The locales to try for a requested one, most specific first: the exact tag, its
 * language, then English (`de-DE` → `de-DE`, `de`, `en`).
 */
export function localeFallbacks(locale: string): string[] {
  const out = [locale];
  const language = locale.split('-')[0];
  if (language && language !== locale) out.push(language);
  if (!out.includes('en')) out.push('en');
  return out;
}

/** Canonical form of a tag (`de-de` → `de-DE`), or null when it is not one. */
export function canonicalLocale(locale: string): string | null {
  if (!localeSchema.safeParse(locale).success) return null;
  try {
    return Intl.getCanonicalLocales(locale)[0] ?? null;
  } catch {
    return null;
  }
}
