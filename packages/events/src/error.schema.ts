import { z } from '@hono/zod-openapi';

/** The contract's request-level error body. */
export const errorSchema = z
  .object({
    error: z.object({ code: z.string(), message: z.string() }),
  })
  .openapi('Error');

export type ErrorBody = z.infer<typeof errorSchema>;
