// The OpenAPI response entries every route declares: a JSON body of a schema, and the
// contract's error body ({ "error": { "code", "message" } }) under a description that lists
// the codes a route answers with that status.
import type { z } from '@hono/zod-openapi';
import { errorSchema } from '@thumbline/events';

/** A response whose body is JSON of `schema`. */
export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

/** An error response (`description`: the codes it may carry). */
export const errorResponse = (description: string) => jsonResponse(errorSchema, description);
