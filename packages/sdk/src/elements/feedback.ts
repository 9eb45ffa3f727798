import type { ThumblineClient } from '../client.ts';
import type { Thumb } from '../types.ts';
import { announce, pageLang, press, shadow, thumbButton } from './dom.ts';
import { labelsFor } from './labels.ts';

/** Each message's current thumb on this page, so a re-rendered element shows it again. */
const thumbs = new Map<string, Thumb>();

const CSS = `:host{display:inline-flex}div{display:inline-flex;gap:var(--thumbline-gap,6px)}`;

/**
 * `<thumbline-feedback conversation="…" message="…">`: two buttons, up then down, with
 * `aria-pressed`. A click sends `message.feedback`; a second click on the pressed thumb
 * clears it (`none`); the other thumb changes it (latest wins).
 */
export function feedbackElement(client: () => ThumblineClient | undefined): CustomElementConstructor {
  return class ThumblineFeedback extends HTMLElement {
    static observedAttributes = ['conversation', 'message', 'lang'];
    #buttons: Element[] = [];

    connectedCallback() {
      if (this.#buttons.length === 0) {
        const root = shadow(this, CSS, `<div role="group">${thumbButton('up')}${thumbButton('down')}</div>`);
        this.#buttons = [...root.querySelectorAll('button')];
        this.#buttons.forEach((button, i) => button.addEventListener('click', () => this.#rate(i ? 'down' : 'up')));
      }
      this.#render();
    }

    attributeChangedCallback() {
      if (this.#buttons.length) this.#render();
    }

    get #key(): string {
      return `${this.getAttribute('conversation')}\n${this.getAttribute('message')}`;
    }

    /** The current thumb: `up`, `down` or `none`. */
    get value(): Thumb {
      return thumbs.get(this.#key) ?? 'none';
    }

    #render() {
      const labels = labelsFor(pageLang(this));
      const [up, down] = this.#buttons as [Element, Element];
      up.parentElement!.setAttribute('aria-label', labels.group);
      for (const [button, label] of [
        [up, labels.up],
        [down, labels.down],
      ] as const) {
        button.setAttribute('aria-label', label);
        button.setAttribute('title', label);
      }
      press(up, this.value === 'up');
      press(down, this.value === 'down');
    }

    #rate(clicked: 'up' | 'down') {
      const sdk = client();
      const conversation = this.getAttribute('conversation');
      const message = this.getAttribute('message');
      if (!sdk || !conversation || !message) return;
      const thumb: Thumb = this.value === clicked ? 'none' : clicked;
      const eventId = sdk.messageFeedback(conversation, message, thumb);
      // A shopper's click is worth sending now (dashboards show it live), not after the batch interval.
      void sdk.flush();
      thumbs.set(this.#key, thumb);
      this.#render();
      announce(this, 'thumbline-feedback', { conversation, message, thumb, event_id: eventId });
    }
  };
}
