// Raw `events` rows for tests that write ClickHouse directly (knowledge gaps): the columns the
// worker stores, with a receive order that sorts by arrival.
import { randomUUID } from 'node:crypto';
import { toDateTime64, type EventRow } from '@thumbline/clickhouse';

// Receive order is normally the stream position; a counter gives the same "sorts by arrival".
let arrivals = 0;
const nextRecv = () => String(++arrivals).padStart(15, '0');

/** Row builders for one workspace. */
export function eventRows(workspace_id: string) {
  const row = (type: string, conversation_id: string, message_id: string, at: string, fields: Partial<EventRow>) => {
    const ts = toDateTime64(Date.parse(at));
    return {
      workspace_id,
      event_id: randomUUID(),
      type,
      ts,
      recv: nextRecv(),
      conversation_id,
      widget_id: '',
      locale: '',
      message_id,
      role: '',
      text: '',
      thumb: '',
      score: null,
      reason: '',
      channel: '',
      received_at: ts,
      sources: [],
      ...fields,
    } satisfies EventRow;
  };
  /** A message.created row. */
  const said = (conv: string, id: string, role: string, text: string, at: string) =>
    row('message.created', conv, id, at, { role, text });
  /** A message.feedback row (`recv` to set the arrival order). */
  const rated = (conv: string, id: string, thumb: string, at: string, recv?: string) =>
    row('message.feedback', conv, id, at, { thumb, ...(recv ? { recv } : {}) });
  return { row, said, rated };
}
