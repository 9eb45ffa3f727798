// The bodies a webhook receives: the contract's JSON payload, or a Slack message.
import type { AlertEventType, AlertPayload } from '@thumbline/events';
import type { Evaluation } from './evaluate.ts';
import type { StoredRule } from './rule.store.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/** The contract's payload of a transition (or a test) of `rule`. */
export function alertPayload(
  type: AlertEventType,
  id: string,
  rule: StoredRule,
  workspaceId: string,
  evaluation: Evaluation,
  at: number,
): AlertPayload {
  const b = evaluation.baseline;
  return {
    type,
    id,
    rule_id: rule.id,
    rule_name: rule.name,
    workspace_id: workspaceId,
    metric: rule.metric,
    value: evaluation.value,
    samples: evaluation.samples,
    condition: rule.condition,
    segment: rule.segment,
    window: { from: iso(evaluation.window.from), to: iso(evaluation.window.to) },
    ...(b ? { baseline: { value: b.value, samples: b.samples, from: iso(b.from), to: iso(b.to) } } : {}),
    at: iso(at),
  };
}

const METRIC_LABEL = { csat_average: 'CSAT average', thumbs_down_pct: 'Thumbs-down %' } as const;

function conditionText(p: AlertPayload): string {
  const c = p.condition;
  if (c.type === 'drop') return `worse than the baseline (${Math.round((c.confidence ?? 0.95) * 100)}% confidence)`;
  return `${c.type} ${c.value}${p.metric === 'thumbs_down_pct' ? '%' : ''}`;
}

/** Slack's `{ text, blocks }` (incoming webhooks), saying what the JSON payload says. */
export function slackMessage(p: AlertPayload): { text: string; blocks: unknown[] } {
  const head =
    p.type === 'alert.firing'
      ? ':red_circle: Alert firing'
      : p.type === 'alert.resolved'
        ? ':large_green_circle: Alert resolved'
        : ':white_check_mark: Test alert';
  const value = p.value === null ? 'no samples' : `${p.value}${p.metric === 'thumbs_down_pct' ? '%' : ''}`;
  const segment = [
    p.segment.widget_id && `widget ${p.segment.widget_id}`,
    p.segment.locale && `locale ${p.segment.locale}`,
  ]
    .filter(Boolean)
    .join(', ');
  const text = `${head}: ${p.rule_name}. ${METRIC_LABEL[p.metric]} ${value} (${p.samples} samples), condition: ${conditionText(p)}.`;
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${head}: ${p.rule_name}*` } },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: `*${METRIC_LABEL[p.metric]}*\n${value}` },
          { type: 'mrkdwn', text: `*Samples*\n${p.samples}` },
          { type: 'mrkdwn', text: `*Condition*\n${conditionText(p)}` },
          { type: 'mrkdwn', text: `*Window*\n${p.window.from} – ${p.window.to}` },
        ],
      },
      {
        type: 'context',
        elements: [
          { type: 'mrkdwn', text: `workspace ${p.workspace_id}${segment ? ` · ${segment}` : ''} · event ${p.id}` },
        ],
      },
    ],
  };
}

/** The raw body sent on every attempt (signed as is). */
export function deliveryBody(p: AlertPayload, format: 'json' | 'slack'): string {
  return JSON.stringify(format === 'slack' ? slackMessage(p) : p);
}
