import { z } from '@hono/zod-openapi';
import { daysInclusive, isDate } from './calendar.ts';

/**
 * The dates a query may name. Wide enough for any feedback Thumbline can hold (events are accepted
 * for 30 days back, aggregates kept 5 years), narrow enough that the window arithmetic stays in
 * four-digit years and in ClickHouse's `DateTime` (1970–2106) whatever it adds or subtracts
 * (the previous window reaches 400 days before `from`, the window's end one day after `to`).
 */
export const MIN_DATE = '2000-01-01';
export const MAX_DATE = '2099-12-31';

/** Longest window a query may span, both ends included (CONTRACT §4: `400 range_too_large`). */
export const MAX_RANGE_DAYS = 400;

/** A local calendar date `YYYY-MM-DD` that exists (no 2026-02-30) and lies in [MIN_DATE, MAX_DATE]. */
export const localDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine(isDate, 'must be a real calendar date')
  .refine((d) => d >= MIN_DATE && d <= MAX_DATE, `must be a date from ${MIN_DATE} to ${MAX_DATE}`);

/** The window and zone every ranged query takes (overview, breakdown, sources, inbox, export, knowledge gaps). */
export const dateRangeQuery = {
  from: localDateSchema.optional().openapi({
    example: '2026-11-01',
    description: `default: 29 days before \`to\`; a real date from ${MIN_DATE} to ${MAX_DATE}, not after \`to\`, at most ${MAX_RANGE_DAYS} days before it`,
  }),
  to: localDateSchema
    .optional()
    .openapi({
      example: '2026-11-07',
      description: `default: today in \`tz\`; a real date from ${MIN_DATE} to ${MAX_DATE}`,
    }),
  tz: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .openapi({
      description: 'IANA zone known to both the runtime and ClickHouse (case-sensitive), default the workspace zone',
    }),
};

/**
 * A window once its defaults are filled in: both dates valid, `from` not after `to`, at most
 * MAX_RANGE_DAYS. A too-long window's issue (on the whole range, no path) carries
 * `params.code = 'range_too_large'`; every other issue is `invalid_query`.
 */
export const dateRangeSchema = z.object({ from: localDateSchema, to: localDateSchema }).superRefine((r, ctx) => {
  if (r.from > r.to) {
    ctx.addIssue({ code: 'custom', path: ['from'], message: 'must not be after to' });
  } else if (daysInclusive(r.from, r.to) > MAX_RANGE_DAYS) {
    ctx.addIssue({ code: 'custom', message: `at most ${MAX_RANGE_DAYS} days`, params: { code: 'range_too_large' } });
  }
});

export type DateRange = z.infer<typeof dateRangeSchema>;
