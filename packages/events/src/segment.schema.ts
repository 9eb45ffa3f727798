import { z } from '@hono/zod-openapi';
import { localeSchema, widgetIdSchema } from './settings.schema.ts';

/**
 * The optional segment filter of query routes (CONTRACT §9). A bad value is `400 invalid_query`
 * naming the field.
 */
export const segmentQuerySchema = z.object({
  widget_id: widgetIdSchema.optional().openapi({ description: 'Only feedback sent with this `widget_id`' }),
  locale: localeSchema.optional().openapi({
    example: 'de',
    description:
      'Only feedback sent with this `locale`. Without a region it matches its language (`de` matches `de`, ' +
      '`de-DE`, `de-AT`); with a region it matches exactly. Case-insensitive.',
  }),
});

export type SegmentQuery = z.infer<typeof segmentQuerySchema>;
