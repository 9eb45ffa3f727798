// The Conversations inbox: filtered, paged list on the left, the open conversation on the right;
// the export downloads every conversation the filters match.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { ConversationChange, InboxItem } from '@thumbline/events';
import { ConversationVersions } from '@thumbline/live-client';
import { errorMessage, isAbort, saveFile } from '../api.ts';
import { useServices } from '../context.ts';
import { formatDateTime } from '../format.ts';
import {
  applyChanges,
  applyReview,
  appendPage,
  FEEDBACK_FILTERS,
  type FeedbackFilter,
  type InboxQuery,
} from '../inbox.ts';
import { OUTCOME_LABELS, REVIEW_FILTERS, type ReviewFilter } from '../review.ts';
import { isResolved, resolveRange, type RangeSelection } from '../range.ts';
import { segmentParams, type SegmentFilter } from '../segment.ts';
import { paths } from '../router.ts';
import { ConversationView } from '../components/conversation-view.tsx';
import { DownloadIcon, ThumbDownIcon, ThumbUpIcon } from '../components/icons.tsx';
import { RangeControls } from '../components/range-controls.tsx';
import { SegmentPicker } from '../components/segment-picker.tsx';
import { SatisfactionBadge } from '../components/satisfaction.tsx';

const PAGE_SIZE = 50;
/**
 * Pages read a snapshot about a second old: changes received this long before a page was
 * requested are applied to it again when it arrives.
 */
const REPLAY_MS = 5000;

interface ConversationList {
  items: InboxItem[];
  next_cursor: string | null;
}

interface ConversationsScreenProps {
  range: RangeSelection;
  onRange: (next: RangeSelection) => void;
  segment: SegmentFilter;
  onSegment: (next: SegmentFilter) => void;
  openId: string | null;
  filter: FeedbackFilter;
  onFilter: (next: FeedbackFilter) => void;
  review: ReviewFilter;
  onReview: (next: ReviewFilter) => void;
  /** The full-text search ('' for none). */
  search: string;
  onSearch: (next: string) => void;
}

function Row({ c, tz, active }: { c: InboxItem; tz: string; active: boolean }) {
  return (
    <li>
      <a
        href={paths.conversation(c.conversation_id)}
        class={`conv-row${active ? ' active' : ''}`}
        data-testid="conversation-row"
        data-conversation-id={c.conversation_id}
        aria-current={active ? 'true' : undefined}
      >
        <span class="conv-row-top">
          <span class="conv-id mono">{c.conversation_id}</span>
          <SatisfactionBadge value={c.satisfaction} score={c.score} />
        </span>
        {c.preview && (
          <span class="conv-preview" data-testid="conversation-preview" title={c.preview}>
            {c.preview}
          </span>
        )}
        <span class="conv-row-bottom">
          <time dateTime={c.started_at}>{formatDateTime(c.started_at, tz)}</time>
          <span class="thumb-counts">
            <span class="thumb-count up" title="Thumbs up">
              <ThumbUpIcon size={12} /> {c.thumbs_up}
            </span>
            <span class="thumb-count down" title="Thumbs down">
              <ThumbDownIcon size={12} /> {c.thumbs_down}
            </span>
          </span>
          {c.review && (
            <span class={`review-badge ${c.review.outcome}`} data-testid="review-badge" data-outcome={c.review.outcome}>
              {OUTCOME_LABELS[c.review.outcome]}
            </span>
          )}
        </span>
      </a>
    </li>
  );
}

type ExportFormat = 'csv' | 'ndjson';

/** The inbox's filters as query parameters (the list's and the export's). */
function filterParams(q: InboxQuery) {
  return {
    feedback: q.filter === 'all' ? undefined : q.filter,
    review: q.review === 'all' ? undefined : q.review,
    q: q.q,
    from: q.from,
    to: q.to,
    tz: q.tz,
    widget_id: q.segment?.widget_id,
    locale: q.segment?.locale,
  };
}

export function ConversationsScreen({
  range,
  onRange,
  segment,
  onSegment,
  openId,
  filter,
  onFilter,
  review,
  onReview,
  search,
  onSearch,
}: ConversationsScreenProps) {
  const { api, hub } = useServices();
  const resolved = resolveRange(range);
  const from = isResolved(resolved) ? resolved.from : null;
  const to = isResolved(resolved) ? resolved.to : null;
  const tz = range.tz;
  const { widget_id, locale } = segmentParams(segment);

  const [items, setItems] = useState<InboxItem[]>([]);
  const [searchText, setSearchText] = useState(search);
  useEffect(() => setSearchText(search), [search]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState<'first' | 'more' | null>('first');
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const [exporting, setExporting] = useState<ExportFormat | null>(null);
  const [exportError, setExportError] = useState<string | null>(null);
  const query = useRef<InboxQuery | null>(null);
  const cursorRef = useRef<string | null>(null);
  const firstPending = useRef(true);
  const recent = useRef<{ at: number; change: ConversationChange }[]>([]);
  // Deltas of one conversation may arrive out of order: only the greatest version is shown.
  const versions = useRef(new ConversationVersions());

  const params = useCallback(
    (q: InboxQuery, after?: string) => ({
      ...filterParams(q),
      limit: PAGE_SIZE,
      cursor: after,
    }),
    [],
  );

  // First page of a new query (and after a resync): starts from scratch.
  useEffect(() => {
    if (!from || !to) return;
    const q: InboxQuery = {
      from,
      to,
      tz,
      filter,
      segment: { widget_id, locale },
      review,
      ...(search ? { q: search } : {}),
    };
    const controller = new AbortController();
    const requested = Date.now();
    query.current = q;
    firstPending.current = true;
    cursorRef.current = null;
    setItems([]);
    setCursor(null);
    setError(null);
    setLoading('first');
    api
      .get<ConversationList>('/v1/conversations', params(q), controller.signal)
      .then((page) => {
        const hasMore = page.next_cursor !== null;
        for (const c of page.items) versions.current.accept(c);
        const late = recent.current
          .filter((r) => r.at >= requested - REPLAY_MS && versions.current.isCurrent(r.change))
          .map((r) => r.change);
        firstPending.current = false;
        cursorRef.current = page.next_cursor;
        setItems(applyChanges(page.items, late, q, hasMore));
        setCursor(page.next_cursor);
        setLoading(null);
      })
      .catch((err: unknown) => {
        if (isAbort(err)) return;
        firstPending.current = false;
        setError(errorMessage(err));
        setLoading(null);
      });
    return () => controller.abort();
  }, [api, params, from, to, tz, filter, widget_id, locale, review, search, reload]);

  // Live: upsert changed conversations into what is loaded.
  useEffect(
    () =>
      hub.subscribe({
        onDelta: (delta) => {
          const changes = versions.current.newer(delta.conversations ?? []);
          if (changes.length === 0) return;
          const now = Date.now();
          recent.current = recent.current.filter((r) => r.at >= now - REPLAY_MS);
          for (const change of changes) recent.current.push({ at: now, change });
          const q = query.current;
          if (!q || firstPending.current) return;
          setItems((list) => applyChanges(list, changes, q, cursorRef.current !== null));
        },
        onReview: (change) => {
          const q = query.current;
          if (q) setItems((list) => applyReview(list, change, q));
        },
        onResync: () => setReload((n) => n + 1),
      }),
    [hub],
  );

  const loadMore = () => {
    const q = query.current;
    const after = cursorRef.current;
    if (!q || !after || loading) return;
    setLoading('more');
    api
      .get<ConversationList>('/v1/conversations', params(q, after))
      .then((page) => {
        if (query.current !== q) return;
        cursorRef.current = page.next_cursor;
        setItems((list) => appendPage(list, page.items));
        setCursor(page.next_cursor);
        setLoading(null);
      })
      .catch((err: unknown) => {
        if (query.current !== q) return;
        setError(errorMessage(err));
        setLoading(null);
      });
  };

  // The blob is the whole file: fine for the exports a browser tab is for (millions of rows: use the API).
  const exportAs = (format: ExportFormat) => {
    const q = query.current;
    if (!q || exporting) return;
    setExporting(format);
    setExportError(null);
    api
      .download('/v1/conversations/export', { ...filterParams(q), format }, `conversations.${format}`)
      .then(saveFile, (err: unknown) => setExportError(errorMessage(err)))
      .finally(() => setExporting(null));
  };

  return (
    <div class="screen screen-wide">
      <header class="screen-head">
        <div class="title-actions">
          <h1>Conversations</h1>
          <button
            type="button"
            class="button secondary small"
            data-testid="export-csv"
            title="Download every conversation matching the filters as CSV"
            onClick={() => exportAs('csv')}
            disabled={exporting !== null || !from || !to}
          >
            <DownloadIcon size={14} /> {exporting === 'csv' ? 'Exporting…' : 'Export CSV'}
          </button>
          <button
            type="button"
            class="link-button"
            data-testid="export-ndjson"
            onClick={() => exportAs('ndjson')}
            disabled={exporting !== null || !from || !to}
          >
            {exporting === 'ndjson' ? 'Exporting…' : 'NDJSON'}
          </button>
        </div>
        <div class="screen-controls">
          <SegmentPicker range={isResolved(resolved) ? resolved : null} value={segment} onChange={onSegment} />
          <RangeControls value={range} onChange={onRange} />
        </div>
      </header>
      {exportError && (
        <p class="error-note" role="alert" data-testid="export-error">
          {exportError}
        </p>
      )}
      <div class="inbox">
        <section class="card inbox-list" aria-label="Conversations">
          <div class="filter-bar">
            <label class="field-inline">
              <span>Customer feedback</span>
              <select
                data-testid="feedback-filter"
                value={filter}
                onChange={(e) => onFilter((e.currentTarget as HTMLSelectElement).value as FeedbackFilter)}
              >
                {FEEDBACK_FILTERS.map((f) => (
                  <option key={f.value} value={f.value}>
                    {f.label}
                  </option>
                ))}
              </select>
            </label>
            <label class="field-inline">
              <span>Review</span>
              <select
                data-testid="review-filter"
                value={review}
                onChange={(e) => onReview((e.currentTarget as HTMLSelectElement).value as ReviewFilter)}
              >
                {REVIEW_FILTERS.map((f) => (
                  <option key={f.value} value={f.value}>
                    {f.label}
                  </option>
                ))}
              </select>
            </label>
            <form
              class="search-form"
              role="search"
              onSubmit={(e) => {
                e.preventDefault();
                onSearch(searchText.trim());
              }}
            >
              <input
                type="search"
                data-testid="conversation-search"
                placeholder="Search messages and reasons"
                aria-label="Search messages and reasons"
                maxLength={200}
                value={searchText}
                onInput={(e) => {
                  const value = (e.currentTarget as HTMLInputElement).value;
                  setSearchText(value);
                  // Clearing the box clears the search at once.
                  if (value === '' && search !== '') onSearch('');
                }}
              />
            </form>
            <span class="muted" data-testid="conversation-count">
              {loading === 'first' ? 'Loading…' : `${items.length}${cursor ? '+' : ''} shown`}
            </span>
          </div>
          {error && (
            <p class="error-note" role="alert">
              {error}
            </p>
          )}
          <ul class="conv-list" aria-busy={loading === 'first' ? 'true' : 'false'}>
            {items.map((c) => (
              <Row key={c.conversation_id} c={c} tz={tz} active={c.conversation_id === openId} />
            ))}
          </ul>
          {!loading && !error && items.length === 0 && (
            <p class="placeholder">
              {filter === 'all' && review === 'all' && !search && widget_id === undefined && locale === undefined
                ? 'No conversations started in this period.'
                : 'No conversations match these filters in this period.'}
            </p>
          )}
          {cursor && (
            <button type="button" class="button secondary load-more" onClick={loadMore} disabled={loading !== null}>
              {loading === 'more' ? 'Loading…' : 'Load more'}
            </button>
          )}
        </section>
        <div class="inbox-detail">
          {openId ? (
            <ConversationView id={openId} tz={tz} />
          ) : (
            <div class="card empty-detail">
              <p class="placeholder">
                Select a conversation to read its transcript. Filter to <strong>Downvote</strong> to triage negative
                feedback first.
              </p>
            </div>
          )}
        </div>
      </div>
    </div>
  );
}
