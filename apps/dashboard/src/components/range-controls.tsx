// Date range presets, custom dates and the time zone; shared by Overview, Recommendations and the inbox.
import { PRESETS, resolveRange, isResolved, timeZoneOptions, type Preset, type RangeSelection } from '../range.ts';

interface RangeControlsProps {
  value: RangeSelection;
  onChange: (next: RangeSelection) => void;
}

export function RangeControls({ value, onChange }: RangeControlsProps) {
  const resolved = resolveRange(value);
  const onPreset = (preset: Preset) => {
    if (preset === 'custom') {
      // Start the custom range from what was on screen.
      const current = resolveRange(value);
      onChange(isResolved(current) ? { ...value, preset, from: current.from, to: current.to } : { ...value, preset });
    } else {
      onChange({ ...value, preset });
    }
  };
  return (
    <div class="range-controls">
      <label class="field-inline">
        <span>Date range</span>
        <select
          data-testid="date-preset"
          value={value.preset}
          onChange={(e) => onPreset((e.currentTarget as HTMLSelectElement).value as Preset)}
        >
          {PRESETS.map((p) => (
            <option key={p.value} value={p.value}>
              {p.label}
            </option>
          ))}
        </select>
      </label>
      {value.preset === 'custom' && (
        <span class="custom-dates">
          <input
            type="date"
            aria-label="From"
            data-testid="date-from"
            value={value.from}
            onChange={(e) => onChange({ ...value, from: (e.currentTarget as HTMLInputElement).value })}
          />
          <span aria-hidden="true">–</span>
          <input
            type="date"
            aria-label="To"
            data-testid="date-to"
            value={value.to}
            onChange={(e) => onChange({ ...value, to: (e.currentTarget as HTMLInputElement).value })}
          />
        </span>
      )}
      <label class="field-inline">
        <span>Time zone</span>
        <select
          data-testid="tz-select"
          value={value.tz}
          onChange={(e) => onChange({ ...value, tz: (e.currentTarget as HTMLSelectElement).value })}
        >
          {timeZoneOptions(value.tz).map((tz) => (
            <option key={tz} value={tz}>
              {tz.replace(/_/g, ' ')}
            </option>
          ))}
        </select>
      </label>
      {isResolved(resolved) ? (
        value.preset !== 'custom' && (
          <span class="range-hint">
            {resolved.from === resolved.to ? resolved.from : `${resolved.from} – ${resolved.to}`}
          </span>
        )
      ) : (
        <span class="range-error" role="alert">
          {resolved.error}
        </span>
      )}
    </div>
  );
}
