import type { AutoEndCopy } from '@thumbline/sdk';
import { h, icon } from './dom.ts';

let seq = 0;

/**
 * The Auto-end conversation prompt with the workspace's copy for the page's locale:
 * title and thumbs; thumbs-up submits at once, thumbs-down asks for a reason first.
 * After submitting it shows the after-submission message.
 */
export function csatPrompt(copy: AutoEndCopy, submit: (thumb: 'up' | 'down', reason: string) => void): HTMLElement {
  const id = `csat-${++seq}`;
  const up = h(
    'button',
    { type: 'button', class: 'csat__thumb', 'data-testid': 'csat-up', 'aria-pressed': 'false', 'aria-label': 'Good' },
    icon('up', 22),
  );
  const down = h(
    'button',
    { type: 'button', class: 'csat__thumb', 'data-testid': 'csat-down', 'aria-pressed': 'false', 'aria-label': 'Bad' },
    icon('down', 22),
  );
  const reason = h('textarea', {
    id: `${id}-reason`,
    class: 'csat__textarea',
    'data-testid': 'csat-reason',
    placeholder: copy.negative_placeholder,
    maxlength: 2000,
    rows: 3,
  });
  const form = h(
    'form',
    { class: 'csat__form', hidden: true },
    h('label', { for: `${id}-reason`, class: 'csat__label' }, copy.negative_reason),
    reason,
    h('button', { type: 'submit', class: 'csat__submit', 'data-testid': 'csat-submit' }, copy.negative_button),
  );
  const prompt = h(
    'section',
    { class: 'csat', 'data-testid': 'csat-prompt', lang: copy.locale, 'aria-labelledby': `${id}-title` },
    h('h3', { id: `${id}-title`, class: 'csat__title', 'data-testid': 'csat-title' }, copy.title),
    h('div', { class: 'csat__thumbs', role: 'group', 'aria-labelledby': `${id}-title` }, up, down),
    form,
  );

  let sent = false;
  const done = (thumb: 'up' | 'down', text: string) => {
    if (sent) return;
    sent = true;
    submit(thumb, text);
    prompt.replaceChildren(
      h(
        'p',
        { class: 'csat__thanks', 'data-testid': 'csat-thanks', role: 'status' },
        icon('check', 18),
        copy.after_submission,
      ),
    );
  };
  up.addEventListener('click', () => done('up', ''));
  down.addEventListener('click', () => {
    down.setAttribute('aria-pressed', 'true');
    form.hidden = false;
    reason.focus();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    done('down', reason.value);
  });
  return prompt;
}
