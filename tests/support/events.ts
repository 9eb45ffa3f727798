// Builders for contract events in tests.
import { randomUUID } from 'node:crypto';

type Fields = Record<string, unknown>;

export const iso = (ms: number) => new Date(ms).toISOString();

export function thumb(
  conversation_id: string,
  message_id: string,
  value: 'up' | 'down' | 'none',
  ts: number | string,
  extra: Fields = {},
) {
  return { event_id: randomUUID(), type: 'message.feedback', ts, conversation_id, message_id, thumb: value, ...extra };
}

export function csat(
  conversation_id: string,
  rating: { score: number } | { thumb: 'up' | 'down' },
  ts: number | string,
  extra: Fields = {},
) {
  return { event_id: randomUUID(), type: 'conversation.csat', ts, conversation_id, ...rating, ...extra };
}

export function started(conversation_id: string, ts: number | string, extra: Fields = {}) {
  return { event_id: randomUUID(), type: 'conversation.started', ts, conversation_id, ...extra };
}

export function message(conversation_id: string, message_id: string, role: string, text: string, ts: number | string) {
  return { event_id: randomUUID(), type: 'message.created', ts, conversation_id, message_id, role, text };
}
