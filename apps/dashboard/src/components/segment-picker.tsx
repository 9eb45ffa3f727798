// Widget and language selects; shared by Overview, Recommendations and the inbox. The options are
// the keys with feedback in the selected window (GET /v1/analytics/breakdown), plus the selected one.
import { useEffect, useState } from 'preact/hooks';
import type { Breakdown } from '@thumbline/events';
import { useServices } from '../context.ts';
import { languageName } from '../format.ts';
import type { ResolvedRange } from '../range.ts';
import type { SegmentFilter } from '../segment.ts';

interface SegmentPickerProps {
  /** The window the options come from; null while the range is invalid. */
  range: ResolvedRange | null;
  value: SegmentFilter;
  onChange: (next: SegmentFilter) => void;
}

interface Options {
  widgets: string[];
  languages: string[];
}

/** The named keys of a breakdown (null: feedback naming none, which no filter selects). */
const keys = (b: Breakdown): string[] => b.items.flatMap((i) => (i.key === null ? [] : [i.key]));

/** The keys sorted by label, `selected` first when the window has none of it (a shared link, an older window). */
function withSelected(list: string[], selected: string | undefined, label: (key: string) => string): string[] {
  const out = [...list].sort((a, b) => label(a).localeCompare(label(b)));
  if (selected !== undefined && !out.includes(selected)) out.unshift(selected);
  return out;
}

export function SegmentPicker({ range, value, onChange }: SegmentPickerProps) {
  const { api } = useServices();
  const [options, setOptions] = useState<Options>({ widgets: [], languages: [] });
  const from = range?.from;
  const to = range?.to;
  const tz = range?.tz;

  useEffect(() => {
    if (!from || !to || !tz) return;
    const controller = new AbortController();
    const load = (by: 'widget_id' | 'language') =>
      api.get<Breakdown>('/v1/analytics/breakdown', { by, from, to, tz }, controller.signal).then(keys);
    Promise.all([load('widget_id'), load('language')]).then(
      ([widgets, languages]) => setOptions({ widgets, languages }),
      // The selects keep what they offer; the screen's own query reports a failure.
      () => undefined,
    );
    return () => controller.abort();
  }, [api, from, to, tz]);

  const set = (field: keyof SegmentFilter, v: string) => {
    const next = { ...value };
    if (v === '') delete next[field];
    else next[field] = v;
    onChange(next);
  };

  return (
    <div class="segment-picker">
      <label class="field-inline">
        <span>Widget</span>
        <select
          data-testid="segment-widget"
          value={value.widget_id ?? ''}
          onChange={(e) => set('widget_id', (e.currentTarget as HTMLSelectElement).value)}
        >
          <option value="">All widgets</option>
          {withSelected(options.widgets, value.widget_id, String).map((w) => (
            <option key={w} value={w}>
              {w}
            </option>
          ))}
        </select>
      </label>
      <label class="field-inline">
        <span>Language</span>
        <select
          data-testid="segment-language"
          value={value.locale ?? ''}
          onChange={(e) => set('locale', (e.currentTarget as HTMLSelectElement).value)}
        >
          <option value="">All languages</option>
          {withSelected(options.languages, value.locale, languageName).map((l) => (
            <option key={l} value={l}>
              {languageName(l)}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
