// Recommendations → Sources: the knowledge cited by answers, most thumbs-down first, and per
// source the answers citing it (thumbed down first) with links to their conversations.
import { useEffect, useState } from 'preact/hooks';
import type { SourceAnswers, Sources } from '@thumbline/events';
import { errorMessage, isAbort } from '../api.ts';
import { useServices } from '../context.ts';
import { formatDateTime, formatPct } from '../format.ts';
import { paths } from '../router.ts';
import { Card, ErrorNote } from './card.tsx';
import { ThumbDownIcon, ThumbUpIcon } from './icons.tsx';

type Source = Sources['items'][number];

/** Sources listed; the API returns up to 200, the card shows the worst. */
const SHOWN = 20;

/**
 * True for an http(s) URL. Sources come from the chat backend: anything else (`javascript:`,
 * `data:`) is shown as text, never as a link.
 */
export function webUrl(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

interface Window {
  from: string;
  to: string;
  tz: string;
  /** The segment picked on the page (the thumb's own widget and locale); undefined: all. */
  widget_id?: string | undefined;
  locale?: string | undefined;
  /** Grows when new feedback should reload the lists. */
  version: number;
}

function SourceAnswersList({ source, window }: { source: Source; window: Window }) {
  const { api } = useServices();
  const [answers, setAnswers] = useState<SourceAnswers['items'] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { from, to, tz, widget_id, locale, version } = window;

  useEffect(() => {
    const controller = new AbortController();
    api
      .get<SourceAnswers>(
        `/v1/analytics/sources/${encodeURIComponent(source.source_id)}/answers`,
        { from, to, tz, widget_id, locale, limit: 10 },
        controller.signal,
      )
      .then((body) => {
        setAnswers(body.items);
        setError(null);
      })
      .catch((err: unknown) => {
        if (!isAbort(err)) setError(errorMessage(err));
      });
    return () => controller.abort();
  }, [api, source.source_id, from, to, tz, widget_id, locale, version]);

  if (error) return <ErrorNote>{error}</ErrorNote>;
  if (answers === null) return <p class="muted">Loading answers…</p>;
  return (
    <ul class="source-answers" data-testid="source-answers">
      {answers.map((a) => (
        <li key={a.message_id} class="source-answer" data-testid="source-answer" data-message-id={a.message_id}>
          <span class={`source-answer-thumb ${a.thumb}`} title={a.thumb === 'down' ? 'Thumbed down' : 'Thumbed up'}>
            {a.thumb === 'down' ? <ThumbDownIcon /> : <ThumbUpIcon />}
          </span>
          <span class="source-answer-text">{a.text ?? <em class="muted">(no text)</em>}</span>
          <a class="source-answer-link" href={paths.conversation(a.conversation_id)}>
            {formatDateTime(a.answered_at, tz)} · open conversation
          </a>
        </li>
      ))}
    </ul>
  );
}

/** The Sources card of the Recommendations page, for local dates `from`–`to` in `tz`. */
export function SourcesCard(window: Window) {
  const { api } = useServices();
  const [sources, setSources] = useState<Source[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const { from, to, tz, widget_id, locale, version } = window;

  useEffect(() => {
    const controller = new AbortController();
    api
      .get<Sources>('/v1/analytics/sources', { from, to, tz, widget_id, locale }, controller.signal)
      .then((body) => {
        setSources(body.items);
        setError(null);
      })
      .catch((err: unknown) => {
        if (!isAbort(err)) setError(errorMessage(err));
      });
    return () => controller.abort();
  }, [api, from, to, tz, widget_id, locale, version]);

  return (
    <Card
      title="Sources"
      subtitle="Help-center articles and other knowledge the assistant cited, most thumbs-down first. Open one to see the answers built from it."
      class="sources-card"
      id="recs-sources"
    >
      {error && <ErrorNote>{error}</ErrorNote>}
      {sources === null && !error && <p class="muted">Loading…</p>}
      {sources !== null && sources.length === 0 && (
        <p class="muted" data-testid="sources-empty">
          No rated answers cited a source in this period. Send <code>sources</code> with assistant messages (
          <code>message.created</code>) to see which articles lead to thumbs-down.
        </p>
      )}
      {sources !== null && sources.length > 0 && (
        <ul class="sources" data-testid="sources">
          {sources.slice(0, SHOWN).map((s) => {
            const expanded = open === s.source_id;
            return (
              <li key={s.source_id} class="source" data-testid="source" data-source-id={s.source_id}>
                <div class="source-head">
                  <button
                    type="button"
                    class="source-toggle"
                    aria-expanded={expanded}
                    onClick={() => setOpen(expanded ? null : s.source_id)}
                  >
                    <span class="source-title">{s.title ?? s.source_id}</span>
                    {s.title !== null && <span class="source-id">{s.source_id}</span>}
                  </button>
                  <span class="source-counts" data-testid="source-counts">
                    <span class="gap-count">
                      <ThumbDownIcon />
                      {s.thumbs_down}
                    </span>
                    <span class="source-up">
                      <ThumbUpIcon />
                      {s.thumbs_up}
                    </span>
                    <span class="source-pct">{formatPct(s.down_pct)} down</span>
                  </span>
                </div>
                {s.url !== null &&
                  (webUrl(s.url) ? (
                    <a class="source-url" href={s.url} target="_blank" rel="noopener noreferrer">
                      {s.url}
                    </a>
                  ) : (
                    <span class="source-url">{s.url}</span>
                  ))}
                {expanded && <SourceAnswersList source={s} window={window} />}
              </li>
            );
          })}
        </ul>
      )}
    </Card>
  );
}
