import type { RedisClient } from './client.ts';
import {
  autoEndCopySchema,
  DEFAULT_AUTO_END_COPY,
  localeFallbacks,
  widgetSettingsSchema,
  type AutoEndCopy,
  type WidgetSettings,
} from '@thumbline/events';
import type { Keys } from './keys.ts';

/**
 * Widget settings and per-locale prompt copy of each workspace, in RedisClient, validated with
 * the API's zod schemas on the way in and out. Reads are cached for `cacheMs` because
 * ingest checks `csat_enabled` for every CSAT event; a change reaches other processes
 * within that time, and this process at once.
 */
export class SettingsStore {
  private readonly cache = new Map<string, { value: unknown; until: number }>();

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly cacheMs = 2000,
  ) {}

  private widgetsKey(ws: string) {
    return this.keys.widgets(ws);
  }

  private copyKey(ws: string) {
    return this.keys.autoEnd(ws);
  }

  private async read<T>(key: string, field: string, parse: (raw: string) => T): Promise<T | null> {
    const id = `${key}\u0000${field}`;
    const hit = this.cache.get(id);
    if (hit && hit.until > Date.now()) return hit.value as T | null;
    const raw = await this.redis.hget(key, field);
    const value = raw === null ? null : parse(raw);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(id, { value, until: Date.now() + this.cacheMs });
    return value;
  }

  /** A widget's settings; CSAT collection is on until switched off. */
  async widget(ws: string, widgetId: string): Promise<WidgetSettings> {
    const saved = await this.read(this.widgetsKey(ws), widgetId, (raw) => widgetSettingsSchema.parse(JSON.parse(raw)));
    return saved ?? { widget_id: widgetId, csat_enabled: true };
  }

  async saveWidget(ws: string, settings: WidgetSettings): Promise<WidgetSettings> {
    const valid = widgetSettingsSchema.parse(settings);
    await this.redis.hset(this.widgetsKey(ws), valid.widget_id, JSON.stringify(valid));
    this.cache.delete(`${this.widgetsKey(ws)}\u0000${valid.widget_id}`);
    return valid;
  }

  /** The copy saved for exactly this locale, or null. */
  savedCopy(ws: string, locale: string): Promise<AutoEndCopy | null> {
    return this.read(this.copyKey(ws), locale, (raw) => autoEndCopySchema.parse(JSON.parse(raw)));
  }

  /** The copy for a locale: saved for it, or the built-in English text under its name. */
  async copy(ws: string, locale: string): Promise<AutoEndCopy> {
    return (await this.savedCopy(ws, locale)) ?? { ...DEFAULT_AUTO_END_COPY, locale };
  }

  async saveCopy(ws: string, copy: AutoEndCopy): Promise<AutoEndCopy> {
    const valid = autoEndCopySchema.parse(copy);
    await this.redis.hset(this.copyKey(ws), valid.locale, JSON.stringify(valid));
    this.cache.delete(`${this.copyKey(ws)}\u0000${valid.locale}`);
    return valid;
  }

  /** The copy a widget shows: exact locale, then its language, then `en`, then built-in. */
  async resolveCopy(ws: string, locale: string): Promise<AutoEndCopy> {
    for (const candidate of localeFallbacks(locale)) {
      const saved = await this.savedCopy(ws, candidate);
      if (saved) return saved;
    }
    return DEFAULT_AUTO_END_COPY;
  }
}
