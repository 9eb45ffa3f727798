import { z } from '@hono/zod-openapi';
import { dateRangeQuery } from './date-range.schema.ts';
import { segmentQuery } from './overview.schema.ts';
import { responseRate, round, thumbTotals } from './overview.ts';

/** Query of `GET /v1/analytics/breakdown` (docs/data-model.md, segments). */
export const breakdownQuerySchema = z.object({
  by: z.enum(['widget_id', 'locale', 'language']).openapi({
    description: '`language` is the primary subtag of the locale, lowercased (`de-AT` → `de`)',
  }),
  ...dateRangeQuery,
  ...segmentQuery,
});

export const breakdownItemSchema = z
  .object({
    key: z.string().nullable().openapi({ description: 'null: what was counted from events naming none' }),
    csat: z.object({ average: z.number().nullable(), rated: z.number().int() }),
    thumbs: z.object({
      up: z.number().int(),
      down: z.number().int(),
      up_pct: z.number().nullable(),
      down_pct: z.number().nullable(),
    }),
    prompted: z.number().int().openapi({ description: 'Conversations whose first rating prompt fell here' }),
    response_rate: z.number().nullable().openapi({ description: 'Share (0–1) of those with a current CSAT' }),
  })
  .openapi('BreakdownItem');

export const breakdownSchema = z
  .object({
    by: z.enum(['widget_id', 'locale', 'language']),
    from: z.string(),
    to: z.string(),
    tz: z.string(),
    items: z.array(breakdownItemSchema).openapi({
      description:
        'One per key with anything counted in the window (thumbs, ratings or prompts), most rated + thumbs first',
    }),
  })
  .openapi('Breakdown');

export type BreakdownQuery = z.infer<typeof breakdownQuerySchema>;
export type BreakdownItem = z.infer<typeof breakdownItemSchema>;
export type Breakdown = z.infer<typeof breakdownSchema>;

/** One key's item from its sums, rounded like the overview. */
export function breakdownItem(
  key: string,
  s: {
    thumbs_up: number;
    thumbs_down: number;
    csat_sum: number;
    csat_count: number;
    prompted: number;
    responded: number;
  },
): BreakdownItem {
  return {
    key: key === '' ? null : key,
    csat: { average: s.csat_count > 0 ? round(s.csat_sum / s.csat_count, 2) : null, rated: s.csat_count },
    thumbs: thumbTotals(s.thumbs_up, s.thumbs_down),
    prompted: s.prompted,
    response_rate: responseRate(s.responded, s.prompted),
  };
}
