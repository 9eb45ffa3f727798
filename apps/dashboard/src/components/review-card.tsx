// The triage decision of a conversation (CONTRACT §12): set or clear its review outcome with a
// note. Changes are versioned: one made from an outdated view is refused and the current one shown.
import { useEffect, useState } from 'preact/hooks';
import type { Review, ReviewConflict, ReviewOutcome } from '@thumbline/events';
import { ApiError, errorMessage } from '../api.ts';
import { useServices } from '../context.ts';
import { formatDateTime } from '../format.ts';
import { OUTCOME_LABELS, OUTCOMES } from '../review.ts';

interface ReviewCardProps {
  conversationId: string;
  review: Review | null;
  /** The review version this view is based on (a cleared review has one, but no review). */
  version: number;
  tz: string;
  /** The review changed (here, or by someone else): show it. */
  onChange: (review: Review | null, version: number) => void;
}

const MAX_NOTE = 2000;

export function ReviewCard({ conversationId, review, version, tz, onChange }: ReviewCardProps) {
  const { api } = useServices();
  const [outcome, setOutcome] = useState<ReviewOutcome | ''>(review?.outcome ?? '');
  const [note, setNote] = useState(review?.note ?? '');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  // What is shown changed (another reviewer, or a reload): the form follows it.
  useEffect(() => {
    setOutcome(review?.outcome ?? '');
    setNote(review?.note ?? '');
  }, [review?.version, review?.outcome, review?.note]);

  const path = `/v1/conversations/${encodeURIComponent(conversationId)}/review`;

  /** A 409: show what is current now; true when it is what this view showed (only the version moved). */
  const conflict = (err: unknown): ReviewConflict | null =>
    err instanceof ApiError && err.status === 409 ? (err.body as ReviewConflict) : null;

  const save = async () => {
    if (!outcome) return;
    setBusy(true);
    setMessage(null);
    const body = { outcome, ...(note.trim() ? { note: note.trim() } : {}) };
    try {
      let saved: Review;
      try {
        saved = await api.put<Review>(path, { ...body, version });
      } catch (err) {
        const c = conflict(err);
        // Cleared meanwhile, as this view shows it: only the version is news.
        if (!c || c.review !== null || review !== null) throw err;
        saved = await api.put<Review>(path, { ...body, version: c.version });
      }
      onChange(saved, saved.version);
      setMessage('Saved');
    } catch (err) {
      const c = conflict(err);
      if (c) {
        onChange(c.review, c.version);
        setMessage(
          c.review
            ? `Someone else set this review to “${OUTCOME_LABELS[c.review.outcome]}” meanwhile; yours was not saved.`
            : 'Someone else cleared this review meanwhile; yours was not saved.',
        );
      } else setMessage(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const clear = async () => {
    setBusy(true);
    setMessage(null);
    try {
      await api.delete(`${path}?version=${version}`);
      onChange(null, version + 1);
      setMessage('Cleared');
    } catch (err) {
      const c = conflict(err);
      if (c) {
        onChange(c.review, c.version);
        setMessage('Someone else changed this review meanwhile; it was not cleared.');
      } else setMessage(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card review-card" aria-label="Review" data-testid="review-card">
      <header class="card-head">
        <h2 class="card-title">Review</h2>
      </header>
      <div class="card-body review-body">
        <p class="muted" data-testid="review-current" data-outcome={review?.outcome ?? ''}>
          {review
            ? `${OUTCOME_LABELS[review.outcome]} · ${formatDateTime(review.reviewed_at, tz)} · by ${review.reviewer}`
            : 'Not reviewed yet.'}
        </p>
        <fieldset class="outcomes" disabled={busy}>
          <legend class="field-label">What went wrong?</legend>
          {OUTCOMES.map((o) => (
            <label key={o} class="outcome-option">
              <input
                type="radio"
                name={`outcome-${conversationId}`}
                value={o}
                data-testid={`outcome-${o}`}
                checked={outcome === o}
                onChange={() => setOutcome(o)}
              />
              {OUTCOME_LABELS[o]}
            </label>
          ))}
        </fieldset>
        <label class="field">
          <span class="field-label">Note</span>
          <textarea
            data-testid="review-note"
            rows={3}
            maxLength={MAX_NOTE}
            value={note}
            disabled={busy}
            placeholder="What should change (optional)"
            onInput={(e) => setNote((e.currentTarget as HTMLTextAreaElement).value)}
          />
        </label>
        <div class="form-actions">
          <button
            type="button"
            class="button small"
            data-testid="review-save"
            disabled={busy || !outcome}
            onClick={() => void save()}
          >
            {busy ? 'Saving…' : 'Save review'}
          </button>
          {review && (
            <button
              type="button"
              class="link-button"
              data-testid="review-clear"
              disabled={busy}
              onClick={() => void clear()}
            >
              Clear
            </button>
          )}
          {message && (
            <span class="muted" role="status" data-testid="review-status">
              {message}
            </span>
          )}
        </div>
      </div>
    </section>
  );
}
