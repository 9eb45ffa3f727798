import type { ThumblineClient } from '../client.ts';
import { announce, pageLang, shadow, thumbButton } from './dom.ts';
import { labelsFor } from './labels.ts';

/** Conversations rated on this page: a re-rendered prompt shows its thanks, not the question again. */
const rated = new Set<string>();

const CSS = `:host{display:block}
section{display:grid;gap:10px;padding:var(--thumbline-padding,14px);border:1px solid var(--thumbline-border,#0003);border-radius:var(--thumbline-radius,6px);background:var(--thumbline-surface,transparent)}
p{margin:0}[part~=title]{font-weight:600}div{display:flex;gap:var(--thumbline-gap,8px)}
form{display:grid;gap:8px}textarea{font:inherit;padding:8px;border:1px solid var(--thumbline-border,#0003);border-radius:var(--thumbline-radius,6px);resize:vertical}
[part~=submit]{justify-self:start;padding:6px 14px;background:var(--thumbline-accent,#2563eb);border-color:var(--thumbline-accent,#2563eb);color:var(--thumbline-accent-text,#fff)}`;

const HTML = `<section part="prompt" aria-labelledby="t"><p id="t" part="title"></p>
<div part="thumbs" role="group" aria-labelledby="t">${thumbButton('up')}${thumbButton('down')}</div>
<form part="form" hidden><label for="r" part="label"></label><textarea id="r" part="reason" maxlength="2000" rows="3"></textarea><button type="submit" part="submit"></button></form>
<p part="thanks" role="status" hidden></p></section>`;

/**
 * `<thumbline-csat conversation="…">`: the Auto-end conversation prompt with the widget's
 * copy for the page's language, shown only while the widget has CSAT on (the config is
 * read when the element is connected). Showing it sends `conversation.csat_prompted`;
 * thumbs-up sends the rating at once, thumbs-down asks for a reason first. The host's
 * `state` attribute says where it is: `loading`, `off`, `shown`, `done` or `error`.
 */
export function csatElement(client: () => ThumblineClient | undefined): CustomElementConstructor {
  return class ThumblineCsat extends HTMLElement {
    static observedAttributes = ['conversation'];
    #started = false;

    /** Frameworks may set the attribute after connecting the element. */
    attributeChangedCallback() {
      if (this.isConnected) this.connectedCallback();
    }

    connectedCallback() {
      const sdk = client();
      const conversation = this.getAttribute('conversation');
      if (this.#started || !sdk || !conversation) return;
      this.#started = true;
      void this.#show(sdk, conversation);
    }

    async #show(sdk: ThumblineClient, conversation: string) {
      const widgetId = this.getAttribute('widget') ?? sdk.options.widgetId;
      const locale = sdk.options.locale ?? pageLang(this);
      const segment = { widgetId, locale };
      this.setAttribute('state', 'loading');
      let config;
      try {
        config = await sdk.config(segment);
      } catch (err) {
        this.setAttribute('state', 'error');
        announce(this, 'thumbline-error', { error: err });
        return;
      }
      if (!config.csat_enabled) {
        this.setAttribute('state', 'off');
        return;
      }
      const copy = config.auto_end;
      const root = shadow(this, CSS, HTML);
      const $ = (part: string) => root.querySelector(`[part~=${part}]`) as HTMLElement;
      const [form, reason, thanks] = [$('form') as HTMLFormElement, $('reason') as HTMLTextAreaElement, $('thanks')];
      root.firstElementChild!.setAttribute('lang', copy.locale);
      $('title').textContent = copy.title;
      $('label').textContent = copy.negative_reason;
      reason.placeholder = copy.negative_placeholder;
      $('submit').textContent = copy.negative_button;
      thanks.textContent = copy.after_submission;
      const labels = labelsFor(copy.locale);
      $('up').setAttribute('aria-label', labels.up);
      $('down').setAttribute('aria-label', labels.down);

      const done = (thumb: 'up' | 'down', text?: string) => {
        const eventId = sdk.csat(conversation, { thumb }, text, segment);
        rated.add(conversation);
        void sdk.flush();
        finish();
        thanks.focus();
        announce(this, 'thumbline-csat', { conversation, thumb, reason: text, event_id: eventId });
      };
      const finish = () => {
        for (const child of root.firstElementChild!.children) (child as HTMLElement).hidden = child !== thanks;
        thanks.tabIndex = -1;
        this.setAttribute('state', 'done');
      };
      if (rated.has(conversation)) return finish();

      $('up').addEventListener('click', () => done('up'));
      $('down').addEventListener('click', () => {
        $('down').setAttribute('aria-pressed', 'true');
        $('down').part.add('pressed');
        form.hidden = false;
        reason.focus();
      });
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        done('down', reason.value);
      });
      sdk.csatPrompted(conversation, segment);
      this.setAttribute('state', 'shown');
    }
  };
}
