import { z } from '@hono/zod-openapi';
import { dateRangeQuery } from './date-range.schema.ts';
import { localeSchema, widgetIdSchema } from './settings.schema.ts';
import { triageSchema } from './review.schema.ts';

/** The segment filter every analytics and inbox query takes (docs/data-model.md, segments). */
export const segmentQuery = {
  widget_id: widgetIdSchema.optional().openapi({ description: 'Only what was counted in this widget' }),
  locale: localeSchema.optional().openapi({
    description: 'Only this locale; without a region (`de`) also its regional variants (`de-DE`, `de-AT`)',
  }),
};

/** Query of `GET /v1/analytics/overview`; `from`/`to` are inclusive local dates. Without them: the 30 days up to today in `tz`. */
export const overviewQuerySchema = z.object({
  ...dateRangeQuery,
  ...segmentQuery,
});

const thumbTotals = {
  up: z.number().int(),
  down: z.number().int(),
  up_pct: z.number().nullable(),
  down_pct: z.number().nullable(),
};

export const overviewSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    tz: z.string(),
    live_seq: z.number().int().openapi({
      description:
        'Last live delta (docs/adr/0006-live-deltas.md) already reflected here: apply deltas with a greater seq',
    }),
    csat: z.object({
      average: z.number().nullable(),
      rated: z.number().int(),
      prompted: z.number().int().openapi({
        description: "Conversations whose first rating prompt falls in the window (in that prompt's segment)",
      }),
      response_rate: z.number().nullable().openapi({
        description: 'Share (0–1, 4 decimals) of those prompted conversations that have a current CSAT; null when none',
      }),
      daily: z.array(
        z.object({
          day: z.string(),
          average: z.number().nullable(),
          rated: z.number().int(),
          csat_sum: z.number().int().openapi({ description: 'Sum of the scores rated that day' }),
          thumbs_up: z.number().int(),
          thumbs_down: z.number().int(),
          prompted: z.number().int().openapi({ description: 'First rating prompts shown that day' }),
          responded: z.number().int().openapi({ description: 'Of those, conversations with a current CSAT' }),
        }),
      ),
    }),
    thumbs: z
      .object({
        ...thumbTotals,
        previous: z.object({ from: z.string(), to: z.string(), ...thumbTotals }).openapi({
          description:
            'The same totals for the window of the same length just before `from` ("vs previous period"). ' +
            'On a small base a percentage misleads (262 thumbs up after 1 is +26100%): show the absolute ' +
            'change next to it, and from ten times the previous count on a ratio instead of a percentage. ' +
            'The dashboard shows `▲ +2 (20%)`, `▼ −5 (50%)`, `▲ +261 (262×)`, and `▲ +3 (new)` after 0.',
        }),
      })
      .openapi({
        description: 'Message thumbs whose own `ts` falls in the window; percentages are null when there are none.',
      }),
    triage: triageSchema.openapi({
      description:
        'Conversations started in the window whose CSAT is negative, how many have a review, split by outcome ' +
        '(the segment filter applies). Not changed by live deltas: a `review` event on /live means it changed',
    }),
  })
  .openapi('Overview');

export type OverviewQuery = z.infer<typeof overviewQuerySchema>;
export type Overview = z.infer<typeof overviewSchema>;
/** The overview without its triage card: what live deltas change (summarizeOverview). */
export type OverviewFigures = Omit<Overview, 'triage'>;
