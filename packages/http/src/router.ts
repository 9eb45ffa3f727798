import { OpenAPIHono } from '@hono/zod-openapi';
import { errorJson } from './errors.ts';

/**
 * An OpenAPIHono whose request validation failures answer the contract's error shape:
 * `400 invalid_query` / `invalid_body` naming the field and why.
 */
export function createRouter<E extends object = object>(): OpenAPIHono<E & { Variables: any }> {
  return new OpenAPIHono({
    defaultHook: (result, c) => {
      if (result.success) return;
      const issue = result.error.issues[0];
      const where = issue?.path.join('.') || result.target;
      const code = result.target === 'json' ? 'invalid_body' : 'invalid_query';
      return errorJson(c, 400, code, `${where}: ${issue?.message ?? 'invalid'}`);
    },
  });
}
