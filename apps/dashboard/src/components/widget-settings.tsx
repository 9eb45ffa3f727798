// Publish → Widgets → Bubble: the CSAT prompt switch of a widget.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { WidgetSettings } from '@thumbline/events';
import { errorMessage } from '../api.ts';
import { loadAfterPause } from '../load-after-pause.ts';
import { useServices } from '../context.ts';
import { Card } from './card.tsx';

type Status = { kind: 'saved' } | { kind: 'failed'; message: string } | null;

export function WidgetSettingsCard() {
  const { api } = useServices();
  const [widgetId, setWidgetId] = useState('default');
  const [settings, setSettings] = useState<WidgetSettings | null>(null);
  const [loading, setLoading] = useState(true);
  const [saving, setSaving] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [status, setStatus] = useState<Status>(null);
  const current = useRef(widgetId);
  current.current = widgetId.trim();

  useEffect(() => {
    const id = widgetId.trim();
    setStatus(null);
    setLoadError(null);
    if (!id || id.length > 64) {
      setSettings(null);
      setLoading(false);
      setLoadError(id ? 'A widget ID has at most 64 characters.' : 'Enter a widget ID.');
      return;
    }
    setLoading(true);
    return loadAfterPause(
      (signal) => api.get<WidgetSettings>(`/v1/settings/widgets/${encodeURIComponent(id)}`, undefined, signal),
      {
        loaded: (s) => {
          setSettings(s);
          setLoading(false);
        },
        failed: (message) => {
          setSettings(null);
          setLoadError(message);
          setLoading(false);
        },
      },
    );
  }, [api, widgetId]);

  const toggle = async (enabled: boolean) => {
    if (!settings) return;
    const id = settings.widget_id;
    const before = settings;
    setSettings({ ...settings, csat_enabled: enabled });
    setSaving(true);
    setStatus(null);
    try {
      const saved = await api.put<WidgetSettings>(`/v1/settings/widgets/${encodeURIComponent(id)}`, {
        csat_enabled: enabled,
      });
      if (current.current !== id) return;
      setSettings(saved);
      setStatus({ kind: 'saved' });
    } catch (err) {
      if (current.current !== id) return;
      setSettings(before);
      setStatus({ kind: 'failed', message: errorMessage(err) });
    } finally {
      setSaving(false);
    }
  };

  return (
    <Card
      id="widgets"
      title={
        <span class="crumbs">
          Publish <span aria-hidden="true">→</span> Widgets <span aria-hidden="true">→</span> Bubble
        </span>
      }
      subtitle="What the chat bubble on your storefront shows."
    >
      <label class="field">
        <span class="field-label">Widget ID</span>
        <input
          type="text"
          data-testid="settings-widget-id"
          value={widgetId}
          maxLength={64}
          spellcheck={false}
          autocomplete="off"
          onInput={(e) => {
            // Disable the switch at once: it shows the previous widget until the new one loads.
            const next = (e.currentTarget as HTMLInputElement).value;
            if (next === widgetId) return;
            setLoading(true);
            setWidgetId(next);
          }}
        />
        <span class="field-help">The widget_id your storefront sends with events (default: default).</span>
      </label>
      <div class="setting-row">
        <div>
          <div class="setting-title" id="csat-toggle-title">
            Customer satisfaction feedback
          </div>
          <p class="setting-text" id="csat-toggle-text">
            Collect customer satisfaction feedback through a like or dislike rating after resolving the user's inquiry.
          </p>
        </div>
        <label class="switch" title="Customer satisfaction feedback">
          <input
            type="checkbox"
            role="switch"
            data-testid="csat-toggle"
            aria-labelledby="csat-toggle-title"
            aria-describedby="csat-toggle-text"
            checked={settings?.csat_enabled ?? false}
            disabled={loading || saving || !settings}
            onChange={(e) => void toggle((e.currentTarget as HTMLInputElement).checked)}
          />
          <span class="switch-track" aria-hidden="true" />
        </label>
      </div>
      <div class="form-status" aria-live="polite" data-testid="widget-status">
        {loading && <span class="muted">Loading…</span>}
        {loadError && <span class="status-failed">{loadError}</span>}
        {status?.kind === 'saved' && (
          <span class="status-saved">
            Saved: the prompt is {settings?.csat_enabled ? 'on' : 'off'} for widget {settings?.widget_id}.
          </span>
        )}
        {status?.kind === 'failed' && <span class="status-failed">Failed to save: {status.message}</span>}
      </div>
    </Card>
  );
}
