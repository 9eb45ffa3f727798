import { describe, expectTypeOf, it } from 'vitest';
// Type-only (checked by `npm run typecheck`, which CI runs): the SDK's hand-written wire types
// against the zod schemas that validate ingest and generate the OpenAPI document. A contract
// change that breaks the SDK (a field renamed, a new required field, a narrower type) fails here.
import type { z } from '@hono/zod-openapi';
import type { Event, ingestResponseSchema, WidgetConfig as ServerWidgetConfig } from '@thumbline/events';
import type { IngestResponse, Source, ThumblineEvent, WidgetConfig, WidgetEvent } from './types.ts';

type Server<T extends Event['type']> = Extract<Event, { type: T }>;
type Sdk<T extends Event['type']> = Extract<ThumblineEvent, { type: T }>;

describe('wire types', () => {
  it('every event the SDK builds is a valid server event', () => {
    expectTypeOf<ThumblineEvent>().toExtend<Event>();
  });

  it('the SDK types every event type the server knows, with every field it accepts', () => {
    expectTypeOf<ThumblineEvent['type']>().toEqualTypeOf<Event['type']>();
    // Both ways per type: the SDK can send whatever the server accepts, and nothing else.
    expectTypeOf<Server<'conversation.started'>>().toExtend<Sdk<'conversation.started'>>();
    expectTypeOf<Server<'message.created'>>().toExtend<Sdk<'message.created'>>();
    expectTypeOf<Server<'message.feedback'>>().toExtend<Sdk<'message.feedback'>>();
    expectTypeOf<Server<'conversation.resolved'>>().toExtend<Sdk<'conversation.resolved'>>();
    expectTypeOf<Server<'conversation.csat'>>().toExtend<Sdk<'conversation.csat'>>();
    expectTypeOf<Server<'conversation.csat_prompted'>>().toExtend<Sdk<'conversation.csat_prompted'>>();
  });

  it('names every field the server accepts (a new optional field must reach the SDK too)', () => {
    expectTypeOf<keyof Server<'conversation.started'>>().toEqualTypeOf<keyof Sdk<'conversation.started'>>();
    expectTypeOf<keyof Server<'message.created'>>().toEqualTypeOf<keyof Sdk<'message.created'>>();
    expectTypeOf<keyof Server<'message.feedback'>>().toEqualTypeOf<keyof Sdk<'message.feedback'>>();
    expectTypeOf<keyof Server<'conversation.resolved'>>().toEqualTypeOf<keyof Sdk<'conversation.resolved'>>();
    expectTypeOf<keyof Server<'conversation.csat'>>().toEqualTypeOf<keyof Sdk<'conversation.csat'>>();
    expectTypeOf<keyof Server<'conversation.csat_prompted'>>().toEqualTypeOf<keyof Sdk<'conversation.csat_prompted'>>();
    type Cited<E> = E extends { sources?: (infer S)[] } ? S : never;
    expectTypeOf<keyof Cited<Server<'message.created'>>>().toEqualTypeOf<keyof Source>();
  });

  it('widget events are the ones a public key may send', () => {
    expectTypeOf<WidgetEvent['type']>().toEqualTypeOf<Exclude<Event['type'], 'message.created'>>();
  });

  it('the widget config and the ingest answer match the server responses', () => {
    expectTypeOf<WidgetConfig>().toEqualTypeOf<ServerWidgetConfig>();
    expectTypeOf<IngestResponse>().toEqualTypeOf<z.infer<typeof ingestResponseSchema>>();
  });
});
