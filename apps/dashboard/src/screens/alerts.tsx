// Alerts: rules that watch a metric over a trailing window and call a webhook when they fire
// or resolve, a "send test" per rule, and the recent deliveries with their attempts.
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { AlertRule, Delivery } from '@thumbline/events';
import { errorMessage } from '../api.ts';
import { useServices } from '../context.ts';
import { Card, ErrorNote } from '../components/card.tsx';

const WINDOWS = [15, 30, 60, 120, 240, 720, 1440];
const METRIC_LABEL: Record<AlertRule['metric'], string> = {
  csat_average: 'CSAT average',
  thumbs_down_pct: 'Thumbs-down %',
};

function conditionText(r: AlertRule): string {
  const c = r.condition;
  if (c.type === 'drop')
    return `worse than last ${Math.round((c.baseline_minutes ?? 10080) / 1440)} d (${Math.round((c.confidence ?? 0.95) * 100)} %)`;
  return `${c.type} ${c.value}${r.metric === 'thumbs_down_pct' ? ' %' : ''}`;
}

function windowText(minutes: number): string {
  return minutes % 60 === 0 ? `${minutes / 60} h` : `${minutes} min`;
}

const time = (iso: string) => new Date(iso).toLocaleString();

interface Form {
  name: string;
  metric: AlertRule['metric'];
  type: 'above' | 'below' | 'drop';
  value: string;
  window: number;
  minSamples: string;
  widget: string;
  locale: string;
  url: string;
  secret: string;
  format: 'json' | 'slack';
}

const EMPTY: Form = {
  name: '',
  metric: 'thumbs_down_pct',
  type: 'above',
  value: '30',
  window: 60,
  minSamples: '10',
  widget: '',
  locale: '',
  url: '',
  secret: '',
  format: 'json',
};

function ruleBody(f: Form) {
  return {
    name: f.name.trim(),
    metric: f.metric,
    segment: {
      ...(f.widget.trim() ? { widget_id: f.widget.trim() } : {}),
      ...(f.locale.trim() ? { locale: f.locale.trim() } : {}),
    },
    window_minutes: f.window,
    condition: f.type === 'drop' ? { type: 'drop' } : { type: f.type, value: Number(f.value) },
    min_samples: Number(f.minSamples),
    webhook: { url: f.url.trim(), format: f.format, ...(f.secret ? { secret: f.secret } : {}) },
  };
}

function NewRuleCard({ onCreated }: { onCreated: () => void }) {
  const { api } = useServices();
  const [form, setForm] = useState<Form>(EMPTY);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const set =
    <K extends keyof Form>(k: K) =>
    (e: Event) =>
      setForm((f) => ({ ...f, [k]: (e.currentTarget as HTMLInputElement).value }) as Form);

  const submit = async (e: Event) => {
    e.preventDefault();
    setSaving(true);
    setError(null);
    try {
      await api.post('/v1/alerts/rules', ruleBody(form));
      setForm(EMPTY);
      onCreated();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Card title="New rule" subtitle="Evaluated as feedback is counted and at least every minute.">
      <form class="alert-form" onSubmit={(e) => void submit(e)} data-testid="alert-form">
        <label class="field">
          <span class="field-label">Name</span>
          <input
            type="text"
            required
            maxLength={200}
            value={form.name}
            onInput={set('name')}
            data-testid="alert-name"
          />
        </label>
        <label class="field">
          <span class="field-label">Metric</span>
          <select
            value={form.metric}
            onChange={(e) => {
              const metric = (e.currentTarget as HTMLSelectElement).value as Form['metric'];
              setForm((f) => ({
                ...f,
                metric,
                type: metric === 'csat_average' && f.type === 'drop' ? 'below' : f.type,
              }));
            }}
            data-testid="alert-metric"
          >
            <option value="thumbs_down_pct">Thumbs-down %</option>
            <option value="csat_average">CSAT average</option>
          </select>
        </label>
        <label class="field">
          <span class="field-label">Condition</span>
          <select value={form.type} onChange={set('type')} data-testid="alert-condition">
            <option value="above">above</option>
            <option value="below">below</option>
            {form.metric === 'thumbs_down_pct' && <option value="drop">worse than the last 7 days</option>}
          </select>
        </label>
        {form.type !== 'drop' && (
          <label class="field">
            <span class="field-label">Value</span>
            <input
              type="number"
              step="any"
              required
              value={form.value}
              onInput={set('value')}
              data-testid="alert-value"
            />
          </label>
        )}
        <label class="field">
          <span class="field-label">Window</span>
          <select
            value={String(form.window)}
            onChange={(e) => setForm((f) => ({ ...f, window: Number((e.currentTarget as HTMLSelectElement).value) }))}
          >
            {WINDOWS.map((w) => (
              <option value={String(w)}>{windowText(w)}</option>
            ))}
          </select>
        </label>
        <label class="field">
          <span class="field-label">Min. samples</span>
          <input type="number" min={1} required value={form.minSamples} onInput={set('minSamples')} />
        </label>
        <label class="field">
          <span class="field-label">Widget ID (optional)</span>
          <input type="text" maxLength={64} value={form.widget} onInput={set('widget')} />
        </label>
        <label class="field">
          <span class="field-label">Locale (optional)</span>
          <input type="text" maxLength={35} placeholder="de or de-DE" value={form.locale} onInput={set('locale')} />
        </label>
        <label class="field alert-url">
          <span class="field-label">Webhook URL</span>
          <input
            type="url"
            required
            placeholder="https://hooks.example.com/…"
            value={form.url}
            onInput={set('url')}
            data-testid="alert-url"
          />
        </label>
        <label class="field">
          <span class="field-label">Secret (optional)</span>
          <input
            type="password"
            autocomplete="new-password"
            maxLength={256}
            value={form.secret}
            onInput={set('secret')}
          />
          <span class="field-help">Signs each body: X-Thumbline-Signature.</span>
        </label>
        <label class="field">
          <span class="field-label">Format</span>
          <select value={form.format} onChange={set('format')}>
            <option value="json">JSON</option>
            <option value="slack">Slack</option>
          </select>
        </label>
        <div class="alert-form-actions">
          <button type="submit" class="button primary" disabled={saving} data-testid="alert-create">
            Create rule
          </button>
          {error && <ErrorNote>{error}</ErrorNote>}
        </div>
      </form>
    </Card>
  );
}

export function AlertsScreen() {
  const { api } = useServices();
  const [rules, setRules] = useState<AlertRule[] | null>(null);
  const [deliveries, setDeliveries] = useState<Delivery[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const [r, d] = await Promise.all([
        api.get<{ items: AlertRule[] }>('/v1/alerts/rules'),
        api.get<{ items: Delivery[] }>('/v1/alerts/deliveries', { limit: 50 }),
      ]);
      setRules(r.items);
      setDeliveries(d.items);
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, [api]);

  // Deliveries change on their own (attempts, retries): refresh while the page is open.
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), 3000);
    return () => clearInterval(timer);
  }, [load]);

  const act = async (work: Promise<unknown>) => {
    try {
      await work;
    } catch (err) {
      setError(errorMessage(err));
    }
    await load();
  };

  return (
    <div class="screen">
      <header class="screen-head">
        <div>
          <h1>Alerts</h1>
        </div>
      </header>
      <p class="lead">
        Get a webhook call (JSON or Slack) within seconds when CSAT or the thumbs-down rate of a widget or language
        crosses a line, and again when it recovers.
      </p>
      {error && <ErrorNote>{error}</ErrorNote>}
      <div class="settings-stack">
        <Card title="Rules">
          {rules === null ? (
            <p class="muted">Loading…</p>
          ) : rules.length === 0 ? (
            <p class="muted">No rules yet: create one below.</p>
          ) : (
            <div class="table-scroll">
              <table class="data-table" data-testid="alert-rules">
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>Metric</th>
                    <th>Condition</th>
                    <th>Window</th>
                    <th>Segment</th>
                    <th>Status</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {rules.map((r) => (
                    <tr key={r.id} data-rule-id={r.id}>
                      <td>{r.name}</td>
                      <td>{METRIC_LABEL[r.metric]}</td>
                      <td>
                        {conditionText(r)}, ≥ {r.min_samples} samples
                      </td>
                      <td>{windowText(r.window_minutes)}</td>
                      <td>{[r.segment.widget_id, r.segment.locale].filter(Boolean).join(' · ') || 'all'}</td>
                      <td>
                        <span class={`alert-status ${r.status}`}>{r.status === 'firing' ? 'Firing' : 'OK'}</span>
                      </td>
                      <td class="alert-actions">
                        <button
                          type="button"
                          class="button secondary"
                          data-testid="alert-test"
                          onClick={() => void act(api.post(`/v1/alerts/rules/${encodeURIComponent(r.id)}/test`, {}))}
                        >
                          Send test
                        </button>
                        <button
                          type="button"
                          class="button secondary"
                          data-testid="alert-delete"
                          onClick={() => {
                            if (confirm(`Delete the rule "${r.name}"?`))
                              void act(api.delete(`/v1/alerts/rules/${encodeURIComponent(r.id)}`));
                          }}
                        >
                          Delete
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Card>
        <NewRuleCard onCreated={() => void load()} />
        <Card
          title="Recent deliveries"
          subtitle="Each transition is retried with backoff for 24 h until the receiver answers 2xx."
        >
          {deliveries === null ? (
            <p class="muted">Loading…</p>
          ) : deliveries.length === 0 ? (
            <p class="muted">Nothing sent yet.</p>
          ) : (
            <div class="table-scroll">
              <table class="data-table" data-testid="alert-deliveries">
                <thead>
                  <tr>
                    <th>Time</th>
                    <th>Rule</th>
                    <th>Event</th>
                    <th>Status</th>
                    <th>Attempts</th>
                    <th>Last answer</th>
                  </tr>
                </thead>
                <tbody>
                  {deliveries.map((d) => {
                    const last = d.attempts.at(-1);
                    return (
                      <tr key={d.id} data-delivery-id={d.id}>
                        <td>{time(d.created_at)}</td>
                        <td>{d.rule_name}</td>
                        <td>{d.type.replace('alert.', '')}</td>
                        <td>
                          <span class={`delivery-status ${d.status}`} data-testid="delivery-status">
                            {d.status}
                          </span>
                        </td>
                        <td class="num">{d.attempts.length}</td>
                        <td title={last?.error ?? ''}>{last ? (last.code ?? last.error ?? '—') : '—'}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
        </Card>
      </div>
    </div>
  );
}
