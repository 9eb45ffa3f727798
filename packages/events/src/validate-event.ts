import type { z } from '@hono/zod-openapi';
import { eventSchema, PUBLIC_EVENT_TYPES, type AcceptedEvent } from './event.schema.ts';
import { illFormedField } from './well-formed.ts';

const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export type EventVerdict = { ok: true; event: AcceptedEvent } | { ok: false; code: string; message: string };

export interface ValidateOptions {
  /** Epoch ms the time bounds are measured from. */
  now: number;
  maxEventAgeDays: number;
  /** Public (browser) keys may send only some event types. */
  publicKey: boolean;
}

function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid event';
  const path = issue.path.join('.') || '(event)';
  return `${path}: ${issue.message}`;
}

/**
 * Validates one raw event per the event rules (the OpenAPI document's `Event`) and returns it normalised (`ts` in
 * epoch ms), or the per-event rejection code and a message naming the field.
 */
export function validateEvent(raw: unknown, options: ValidateOptions): EventVerdict {
  const parsed = eventSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, code: 'invalid_event', message: describe(parsed.error) };
  // Fields the schema keeps (unknown ones are dropped) must be storable text.
  const illFormed = illFormedField(parsed.data);
  if (illFormed !== null) {
    return { ok: false, code: 'invalid_event', message: `${illFormed}: must be well-formed Unicode (lone surrogate)` };
  }
  // UUIDs are case-insensitive: one spelling from here on, so dedup sees one event.
  const event = { ...parsed.data, event_id: parsed.data.event_id.toLowerCase() };
  if (options.publicKey && !PUBLIC_EVENT_TYPES.has(event.type)) {
    return {
      ok: false,
      code: 'forbidden_event_type',
      message: `type: ${event.type} needs the secret key`,
    };
  }
  const ts = typeof event.ts === 'number' ? event.ts : Date.parse(event.ts);
  if (ts > options.now + FUTURE_TOLERANCE_MS) {
    return { ok: false, code: 'ts_in_future', message: 'ts: more than 5 minutes in the future' };
  }
  if (ts < options.now - options.maxEventAgeDays * DAY_MS) {
    return {
      ok: false,
      code: 'ts_too_old',
      message: `ts: older than ${options.maxEventAgeDays} days`,
    };
  }
  if (event.type === 'conversation.csat' && event.score === undefined) {
    return { ok: true, event: { ...event, ts, score: event.thumb === 'up' ? 5 : 1 } };
  }
  return { ok: true, event: { ...event, ts } as AcceptedEvent };
}
