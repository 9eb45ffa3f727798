import { z } from '@hono/zod-openapi';

// chDB refuses to bind integers beyond 2^53 (they could not be JSON numbers exactly anyway).
const number = z
  .number()
  .refine((n) => !Number.isInteger(n) || Number.isSafeInteger(n), 'integers beyond ±2^53 must be sent as strings');
const scalar = z.union([z.string(), number, z.boolean(), z.null()]);

/** A `{name:Type}` parameter value: null binds to Nullable(T), an array to Array(T). */
export const sqlParamSchema = z.union([scalar, z.array(scalar)]);

/** Body of `POST /v1/sql` (admin token). */
export const sqlRequestSchema = z
  .object({
    query: z.string().min(1).max(100_000).openapi({
      description: 'One SELECT; values go in `params` as {name:Type}. No SETTINGS clause, no table functions.',
      example:
        'SELECT toDate(bucket) AS day, sum(thumbs_up) AS up FROM feedback_15m WHERE workspace_id = {ws:String} GROUP BY day ORDER BY day',
    }),
    params: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a parameter name'), sqlParamSchema)
      .optional()
      .openapi({ example: { ws: 'demo' } }),
  })
  .openapi('SqlRequest');

/** Result of `POST /v1/sql`: rows as arrays in the order of `columns`; 64-bit integers are strings. */
export const sqlResultSchema = z
  .object({
    columns: z.array(z.object({ name: z.string(), type: z.string().openapi({ example: 'UInt64' }) })),
    rows: z.array(z.array(z.unknown())),
    rows_read: z.number().int(),
    elapsed_ms: z.number(),
  })
  .openapi('SqlResult');

export type SqlRequest = z.infer<typeof sqlRequestSchema>;
export type SqlResult = z.infer<typeof sqlResultSchema>;
