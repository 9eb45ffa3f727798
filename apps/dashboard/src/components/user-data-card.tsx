// The right-hand User data card of a conversation: satisfaction (with the negative reason) and feedback counts.
import type { ConversationSummary } from '@thumbline/events';
import { formatDateTime } from '../format.ts';
import { ThumbDownIcon, ThumbUpIcon } from './icons.tsx';
import { InfoTip } from './info-tip.tsx';
import { SATISFACTION_LABEL } from './satisfaction.tsx';

export function UserDataCard({ conversation, tz }: { conversation: ConversationSummary; tz: string }) {
  const c = conversation;
  return (
    <aside class="card user-data" aria-label="User data">
      <header class="card-head">
        <h2 class="card-title">User data</h2>
      </header>
      <dl class="facts">
        <dt>User's satisfaction</dt>
        <dd>
          <span class={`sat-text sat-${c.satisfaction}`} data-testid="user-satisfaction">
            {SATISFACTION_LABEL[c.satisfaction]}
          </span>
          {c.negative_reason && <InfoTip text={c.negative_reason} label="Negative reason" />}
        </dd>
        <dt>Rating</dt>
        <dd>{c.score === null ? 'Not rated' : `${c.score} / 5`}</dd>
        <dt>Message feedback</dt>
        <dd class="thumb-counts">
          <span class="thumb-count up" title="Thumbs up">
            <ThumbUpIcon /> {c.thumbs_up}
          </span>
          <span class="thumb-count down" title="Thumbs down">
            <ThumbDownIcon /> {c.thumbs_down}
          </span>
        </dd>
        <dt>Started</dt>
        <dd>{formatDateTime(c.started_at, tz)}</dd>
        <dt>Conversation ID</dt>
        <dd class="mono break">{c.conversation_id}</dd>
      </dl>
    </aside>
  );
}
