import { describe, expectTypeOf, it } from 'vitest';
// Type-only: keeps the SDK's hand-written wire types in step with the server's schemas.
import type { Event, WidgetConfig as ServerWidgetConfig } from '@thumbline/events';
import type { WidgetConfig, WidgetEvent } from './types.ts';

describe('wire types', () => {
  it('every event the SDK builds is a valid server event', () => {
    expectTypeOf<WidgetEvent>().toExtend<Event>();
  });

  it('the widget config matches the server response', () => {
    expectTypeOf<WidgetConfig>().toEqualTypeOf<ServerWidgetConfig>();
  });
});
