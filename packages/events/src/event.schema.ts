import { z } from '@hono/zod-openapi';

/**
 * Event schemas (the `Event` of the OpenAPI document). They validate ingest and generate the OpenAPI
 * document, so there is one definition of what an event is.
 */

/** RFC 3339 with an offset (or Z), or integer epoch milliseconds. */
export const tsSchema = z
  .union([
    z.iso.datetime({ offset: true, message: 'must be an RFC 3339 time with an offset, or epoch milliseconds' }),
    z.number().int('must be an integer number of epoch milliseconds').min(0).max(8_640_000_000_000_000),
  ])
  .openapi({ description: 'RFC 3339 with offset, or integer epoch milliseconds', example: '2026-11-24T10:15:00Z' });

const base = {
  event_id: z.uuid({ message: 'must be a UUID' }).openapi({ description: 'Idempotency key' }),
  ts: tsSchema,
  conversation_id: z.string().min(1).max(128),
  widget_id: z.string().min(1).max(64).optional(),
  locale: z.string().min(1).max(35).optional().openapi({ description: 'BCP 47 tag' }),
  shopper_id: z
    .string()
    .min(1)
    .max(128)
    .optional()
    .openapi({ description: 'Opaque id of the shopper, for erasure by shopper (POST /v1/erasures)' }),
};

export const conversationStartedSchema = z.object({
  ...base,
  type: z.literal('conversation.started'),
  channel: z.string().max(32).optional(),
});

/** Most sources one answer may cite (CONTRACT §11). */
export const MAX_SOURCES = 20;

/** A piece of knowledge an assistant answer was built from: a help-center article, a policy page... */
export const sourceSchema = z
  .object({
    id: z.string().min(1).max(128).openapi({ description: "The source's own stable id", example: 'kb-shipping' }),
    title: z.string().max(256).optional().openapi({ example: 'Shipping destinations' }),
    url: z.string().max(2048).optional().openapi({ example: 'https://help.example.com/shipping' }),
  })
  .openapi('Source');

export const messageCreatedSchema = z
  .object({
    ...base,
    type: z.literal('message.created'),
    message_id: z.string().min(1).max(128),
    role: z.enum(['shopper', 'assistant', 'agent']),
    text: z.string().max(16_000).optional(),
    sources: z
      .array(sourceSchema)
      .max(MAX_SOURCES)
      .optional()
      .openapi({
        description:
          'Assistant messages only (another role with `sources` is rejected): the knowledge the answer was ' +
          'built from, at most 20. An id cited twice counts once (its first title and url are kept).',
      }),
  })
  // Sources rank answers by their thumbs; on a shopper or agent message they would be counted
  // nowhere, so the sender learns at once instead of wondering why a source never shows up.
  .refine((e) => e.sources === undefined || e.role === 'assistant', {
    message: 'only assistant messages may carry sources',
    path: ['sources'],
  });

export const messageFeedbackSchema = z.object({
  ...base,
  type: z.literal('message.feedback'),
  message_id: z.string().min(1).max(128),
  thumb: z.enum(['up', 'down', 'none']).openapi({ description: '`none` clears a thumb' }),
});

export const conversationResolvedSchema = z.object({
  ...base,
  type: z.literal('conversation.resolved'),
});

/** The rating prompt was shown to the shopper; the response rate counts these (docs/data-model.md). */
export const conversationCsatPromptedSchema = z.object({
  ...base,
  type: z.literal('conversation.csat_prompted'),
});

export const conversationCsatSchema = z
  .object({
    ...base,
    type: z.literal('conversation.csat'),
    thumb: z.enum(['up', 'down']).optional(),
    score: z.number().int().min(1).max(5).optional(),
    reason: z.string().max(2000).optional(),
  })
  .refine((e) => (e.thumb === undefined) !== (e.score === undefined), {
    message: 'exactly one of thumb or score is required',
    path: ['score'],
  });

export const eventSchema = z
  .discriminatedUnion('type', [
    conversationStartedSchema,
    messageCreatedSchema,
    messageFeedbackSchema,
    conversationResolvedSchema,
    conversationCsatSchema,
    conversationCsatPromptedSchema,
  ])
  .openapi('Event');

/** An event as the sender wrote it (after validation). */
export type Event = z.infer<typeof eventSchema>;
export type EventType = Event['type'];

export const EVENT_TYPES = [
  'conversation.started',
  'message.created',
  'message.feedback',
  'conversation.resolved',
  'conversation.csat',
  'conversation.csat_prompted',
] as const satisfies readonly EventType[];

/** Event types a public (browser) key may send; the rest need the secret key. */
export const PUBLIC_EVENT_TYPES: ReadonlySet<string> = new Set<EventType>([
  'conversation.started',
  'message.feedback',
  'conversation.resolved',
  'conversation.csat',
  'conversation.csat_prompted',
]);

/**
 * An accepted event as it travels through the stream and queue: `ts` in epoch
 * milliseconds, CSAT thumbs already mapped to a score.
 */
export type AcceptedEvent = Event extends infer E
  ? E extends unknown
    ? Omit<E, 'ts'> & { ts: number }
    : never
  : never;

/** Most events one ingest request carries (`{ "events": [...] }`). */
export const MAX_EVENTS_PER_REQUEST = 500;

/**
 * The documented request body. Ingest validates events one by one (each gets its own
 * verdict), so this union is for the OpenAPI document; its members are the validators.
 */
export const ingestBodySchema = z
  .union([
    eventSchema,
    z.object({ events: z.array(eventSchema).min(1).max(MAX_EVENTS_PER_REQUEST) }).openapi('EventBatch'),
  ])
  .openapi('IngestBody', {
    description: `One event, or \`{ "events": [...] }\` with 1–${MAX_EVENTS_PER_REQUEST} events`,
  });

export const rejectionSchema = z
  .object({
    index: z.number().int(),
    code: z.string(),
    message: z.string(),
  })
  .openapi('Rejection');

export const ingestResponseSchema = z
  .object({
    accepted: z.number().int(),
    rejected: z.array(rejectionSchema),
  })
  .openapi('IngestResponse');
