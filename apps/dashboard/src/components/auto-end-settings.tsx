// Settings → Language → {language} → Auto-end conversation: the CSAT prompt's copy per locale.
import { useEffect, useState } from 'preact/hooks';
import type { AutoEndCopy } from '@thumbline/events';
import { ApiError, errorMessage } from '../api.ts';
import { loadAfterPause } from '../load-after-pause.ts';
import { useServices } from '../context.ts';
import { languageName } from '../format.ts';
import { Card } from './card.tsx';
import { ThumbDownIcon, ThumbUpIcon } from './icons.tsx';

const LOCALES = ['en', 'de', 'fr', 'es', 'nl'];
const LOCALE_PATTERN = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/;

type CopyFields = Omit<AutoEndCopy, 'locale'>;
type FieldKey = keyof CopyFields;

const FIELDS: { key: FieldKey; label: string; testid: string; max: number; multiline: boolean; help: string }[] = [
  {
    key: 'title',
    label: 'Title',
    testid: 'auto-end-title',
    max: 200,
    multiline: false,
    help: 'The heading on the prompt.',
  },
  {
    key: 'negative_reason',
    label: 'Negative reason',
    testid: 'auto-end-negative-reason',
    max: 200,
    multiline: false,
    help: 'The label on the free-text follow-up after a thumbs-down.',
  },
  {
    key: 'negative_placeholder',
    label: 'Negative placeholder',
    testid: 'auto-end-negative-placeholder',
    max: 500,
    multiline: true,
    help: 'Placeholder in the textarea.',
  },
  {
    key: 'negative_button',
    label: 'Negative button',
    testid: 'auto-end-negative-button',
    max: 100,
    multiline: false,
    help: 'The submit-button label.',
  },
  {
    key: 'after_submission',
    label: 'After submission',
    testid: 'auto-end-after-submission',
    max: 500,
    multiline: true,
    help: 'Message shown after the shopper submits feedback.',
  },
];

const EMPTY: CopyFields = {
  title: '',
  negative_reason: '',
  negative_placeholder: '',
  negative_button: '',
  after_submission: '',
};

type Status = { kind: 'saved'; locale: string } | { kind: 'failed'; message: string } | null;

function pick(copy: AutoEndCopy): CopyFields {
  return {
    title: copy.title,
    negative_reason: copy.negative_reason,
    negative_placeholder: copy.negative_placeholder,
    negative_button: copy.negative_button,
    after_submission: copy.after_submission,
  };
}

function Preview({ copy }: { copy: CopyFields }) {
  return (
    <div class="prompt-preview" aria-label="Preview">
      <div class="prompt-preview-label">Preview</div>
      <div class="prompt-title">{copy.title || '…'}</div>
      <div class="prompt-thumbs" aria-hidden="true">
        <span class="prompt-thumb">
          <ThumbUpIcon size={16} />
        </span>
        <span class="prompt-thumb selected">
          <ThumbDownIcon size={16} />
        </span>
      </div>
      <div class="prompt-reason">{copy.negative_reason || '…'}</div>
      <div class="prompt-textarea">{copy.negative_placeholder || '…'}</div>
      <div class="prompt-button">{copy.negative_button || '…'}</div>
      <div class="prompt-after">{copy.after_submission || '…'}</div>
    </div>
  );
}

export function AutoEndSettingsCard() {
  const { api } = useServices();
  const [locale, setLocale] = useState('en');
  const [loadedLocale, setLoadedLocale] = useState<string | null>(null);
  const [fields, setFields] = useState<CopyFields>(EMPTY);
  const [loading, setLoading] = useState(true);
  const [saving, setSaving] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [status, setStatus] = useState<Status>(null);

  useEffect(() => {
    const tag = locale.trim();
    setStatus(null);
    setLoadError(null);
    if (!LOCALE_PATTERN.test(tag) || tag.length > 35) {
      setLoadedLocale(null);
      setLoading(false);
      setLoadError(tag ? `${tag} is not a language tag such as de or de-DE.` : 'Enter a language tag such as de.');
      return;
    }
    setLoading(true);
    return loadAfterPause(
      (signal) => api.get<AutoEndCopy>(`/v1/settings/languages/${encodeURIComponent(tag)}/auto-end`, undefined, signal),
      {
        loaded: (copy) => {
          setFields(pick(copy));
          setLoadedLocale(copy.locale);
          setLoading(false);
        },
        failed: (message) => {
          setLoadedLocale(null);
          setLoadError(message);
          setLoading(false);
        },
      },
    );
  }, [api, locale]);

  const save = async (e: Event) => {
    e.preventDefault();
    if (!loadedLocale || saving) return;
    const target = loadedLocale;
    setSaving(true);
    setStatus(null);
    try {
      const saved = await api.put<AutoEndCopy>(`/v1/settings/languages/${encodeURIComponent(target)}/auto-end`, fields);
      setFields(pick(saved));
      setStatus({ kind: 'saved', locale: saved.locale });
    } catch (err) {
      const message = err instanceof ApiError ? err.message : errorMessage(err);
      setStatus({ kind: 'failed', message });
    } finally {
      setSaving(false);
    }
  };

  const language = loadedLocale ? languageName(loadedLocale) : '{language}';
  return (
    <Card
      id="language"
      title={
        <span class="crumbs">
          Settings <span aria-hidden="true">→</span> Language <span aria-hidden="true">→</span>{' '}
          <span data-testid="auto-end-language">{language}</span> <span aria-hidden="true">→</span> Auto-end
          conversation
        </span>
      }
      subtitle="The rating prompt shown after a conversation resolves, per language. Widgets fall back from the exact locale to its language, then to English."
    >
      <form class="auto-end" onSubmit={save}>
        <div class="auto-end-fields">
          <label class="field">
            <span class="field-label">Language</span>
            <input
              type="text"
              list="auto-end-locales"
              data-testid="auto-end-locale"
              value={locale}
              maxLength={35}
              spellcheck={false}
              autocomplete="off"
              onInput={(ev) => {
                // Disable the editor at once: it shows the previous locale until the new one loads.
                const next = (ev.currentTarget as HTMLInputElement).value;
                if (next === locale) return;
                setLoading(true);
                setLocale(next);
              }}
            />
            <datalist id="auto-end-locales">
              {LOCALES.map((l) => (
                <option key={l} value={l}>
                  {languageName(l)}
                </option>
              ))}
            </datalist>
            <span class="field-help">A language tag: en, de, fr, es, nl, or any other such as pt-BR.</span>
          </label>
          {FIELDS.map((f) => {
            const common = {
              'data-testid': f.testid,
              value: fields[f.key],
              maxLength: f.max,
              disabled: loading || !loadedLocale,
              onInput: (ev: Event) =>
                setFields({ ...fields, [f.key]: (ev.currentTarget as HTMLInputElement | HTMLTextAreaElement).value }),
            };
            return (
              <label class="field" key={f.key}>
                <span class="field-label">{f.label}</span>
                {f.multiline ? <textarea rows={2} {...common} /> : <input type="text" {...common} />}
                <span class="field-help">{f.help}</span>
              </label>
            );
          })}
          <div class="form-actions">
            <button
              type="submit"
              class="button primary"
              data-testid="auto-end-save"
              disabled={loading || saving || !loadedLocale}
            >
              {saving ? 'Saving…' : 'Save'}
            </button>
            <span class="form-status" aria-live="polite" data-testid="auto-end-status">
              {loading && <span class="muted">Loading…</span>}
              {loadError && <span class="status-failed">{loadError}</span>}
              {status?.kind === 'saved' && (
                <span class="status-saved">
                  Saved for {languageName(status.locale)} ({status.locale}).
                </span>
              )}
              {status?.kind === 'failed' && <span class="status-failed">Failed to save: {status.message}</span>}
            </span>
          </div>
        </div>
        <Preview copy={fields} />
      </form>
    </Card>
  );
}
