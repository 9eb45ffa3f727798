export {
  conversationCsatSchema,
  conversationResolvedSchema,
  conversationStartedSchema,
  EVENT_TYPES,
  eventSchema,
  ingestBodySchema,
  ingestResponseSchema,
  messageCreatedSchema,
  messageFeedbackSchema,
  PUBLIC_EVENT_TYPES,
  rejectionSchema,
  tsSchema,
  type AcceptedEvent,
  type Event,
  type EventType,
} from './event.schema.ts';
export { errorSchema, type ErrorBody } from './error.schema.ts';
export { overviewQuerySchema, overviewSchema, type Overview, type OverviewQuery } from './overview.schema.ts';
export { validateEvent, type EventVerdict } from './validate-event.ts';
export {
  autoEndCopyBodySchema,
  autoEndCopySchema,
  canonicalLocale,
  DEFAULT_AUTO_END_COPY,
  localeFallbacks,
  localeSchema,
  widgetConfigSchema,
  widgetIdSchema,
  widgetSettingsBodySchema,
  widgetSettingsSchema,
  type AutoEndCopy,
  type WidgetConfig,
  type WidgetSettings,
} from './settings.schema.ts';
