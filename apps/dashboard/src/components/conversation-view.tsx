// One conversation: its transcript with per-message feedback badges, and the User data card.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ConversationDetail } from '@thumbline/events';
import { ApiError, errorMessage, isAbort } from '../api.ts';
import { useServices } from '../context.ts';
import { formatDateTime } from '../format.ts';
import { ThumbDownIcon, ThumbUpIcon } from './icons.tsx';
import { ReviewCard } from './review-card.tsx';
import { UserDataCard } from './user-data-card.tsx';

type Message = ConversationDetail['messages'][number];

/** After a live change, the transcript is reloaded this much later (changes come in bursts). */
const REFRESH_DELAY_MS = 400;

function roleLabel(role: Message['role']): string {
  if (role === 'shopper') return 'Shopper';
  if (role === 'agent') return 'Agent';
  return 'AI assistant';
}

function FeedbackBadge({ thumb }: { thumb: 'up' | 'down' }) {
  return thumb === 'up' ? (
    <span class="msg-feedback up" data-testid="message-feedback" data-feedback="up">
      <ThumbUpIcon /> Positive feedback by user
    </span>
  ) : (
    <span class="msg-feedback down" data-testid="message-feedback" data-feedback="down">
      <ThumbDownIcon /> Negative feedback by user
    </span>
  );
}

function Transcript({ messages, tz }: { messages: Message[]; tz: string }) {
  if (messages.length === 0) return <p class="placeholder">No messages were recorded for this conversation.</p>;
  return (
    <ol class="transcript">
      {messages.map((m) => {
        const shopper = m.role === 'shopper';
        return (
          <li
            key={m.message_id}
            class={`msg ${shopper ? 'msg-shopper' : m.role === 'agent' ? 'msg-agent' : 'msg-ai'}`}
            data-testid="message"
            data-message-id={m.message_id}
          >
            <div class="msg-meta">
              {roleLabel(m.role)} · {formatDateTime(m.ts, tz)}
            </div>
            <div class="bubble">{m.text ?? <em class="muted">Message text not recorded</em>}</div>
            {!shopper && m.feedback && <FeedbackBadge thumb={m.feedback} />}
          </li>
        );
      })}
    </ol>
  );
}

export function ConversationView({ id, tz }: { id: string; tz: string }) {
  const { api, hub } = useServices();
  const [detail, setDetail] = useState<ConversationDetail | null>(null);
  // The review's version as last seen (a cleared review has one but no review to carry it);
  // every change of it comes with a setDetail, which renders.
  const reviewVersion = useRef(0);
  const [error, setError] = useState<string | null>(null);
  const refresh = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    const load = async (quiet: boolean) => {
      try {
        const next = await api.get<ConversationDetail>(
          `/v1/conversations/${encodeURIComponent(id)}`,
          undefined,
          controller.signal,
        );
        setDetail(next);
        reviewVersion.current = Math.max(reviewVersion.current, next.review?.version ?? 0);
        setError(null);
      } catch (err) {
        if (isAbort(err) || quiet) return;
        setError(
          err instanceof ApiError && err.status === 404 ? 'This conversation was not found.' : errorMessage(err),
        );
      }
    };
    setDetail(null);
    reviewVersion.current = 0;
    setError(null);
    void load(false);
    const unsubscribe = hub.subscribe({
      onDelta: (delta) => {
        const change = (delta.conversations ?? []).find((c) => c.conversation_id === id);
        if (!change) return;
        // Show the new satisfaction at once (unless it is older than what is shown: deltas of
        // one conversation may arrive out of order); reload the transcript for new messages and thumbs.
        setDetail((d) => (d && change.version > d.version ? { ...d, ...change, messages: d.messages } : d));
        if (refresh.current) clearTimeout(refresh.current);
        refresh.current = setTimeout(() => void load(true), REFRESH_DELAY_MS);
      },
      onReview: (change) => {
        if (change.conversation_id !== id) return;
        if (change.version <= reviewVersion.current) return;
        reviewVersion.current = change.version;
        setDetail((d) => (d ? { ...d, review: change.review } : d));
      },
      onResync: () => void load(true),
    });
    return () => {
      unsubscribe();
      controller.abort();
      if (refresh.current) clearTimeout(refresh.current);
      refresh.current = null;
    };
  }, [api, hub, id]);

  if (error)
    return (
      <p class="error-note" role="alert">
        {error}
      </p>
    );
  if (!detail) return <p class="placeholder">Loading conversation…</p>;
  return (
    <div class="conversation">
      <section class="card transcript-card" aria-label="Transcript">
        <header class="card-head">
          <div>
            <h2 class="card-title mono">{detail.conversation_id}</h2>
            <p class="card-subtitle">Started {formatDateTime(detail.started_at, tz)}</p>
          </div>
        </header>
        <Transcript messages={detail.messages} tz={tz} />
      </section>
      <div class="conversation-side">
        <ReviewCard
          conversationId={detail.conversation_id}
          review={detail.review}
          version={reviewVersion.current}
          tz={tz}
          onChange={(review, version) => {
            if (version < reviewVersion.current) return;
            reviewVersion.current = version;
            setDetail((d) => (d ? { ...d, review } : d));
          }}
        />
        <UserDataCard conversation={detail} tz={tz} />
      </div>
    </div>
  );
}
