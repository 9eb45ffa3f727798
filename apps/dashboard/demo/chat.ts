import type { ThumblineClient } from '@thumbline/sdk';
import { h, icon, sleep } from './dom.ts';
import { SCRIPT } from './script.ts';

export interface ChatOptions {
  sdk: ThumblineClient;
  conversationId: string;
  /** Play the script without delays (automated runs). */
  fast: boolean;
  /** Tells the page about things a presenter should know (CSAT off, config unreachable). */
  note(text: string): void;
}

/** Pauses of the scripted chat, in ms. */
const PACE = {
  beforeShopper: 700,
  beforeTyping: 450,
  typing: (text: string) => 900 + Math.min(1600, text.length * 6),
  afterAnswer: 1200,
  autoResolve: 3000,
};

/**
 * The chat widget: a bubble bottom-right that opens a panel. Opening it the first time
 * starts the conversation and plays the script; the shopper can thumb each AI answer.
 * After the script the conversation resolves (or earlier with the Resolve button), then
 * the CSAT prompt shows when the widget's config has it on.
 */
export function mountChat(root: HTMLElement, options: ChatOptions): { open(): void } {
  const { sdk, conversationId, fast, note } = options;
  const wait = (ms: number) => sleep(fast ? 0 : ms);
  let started = false;
  let resolved = false;
  let autoResolve: ReturnType<typeof setTimeout> | undefined;

  const log = h('div', { class: 'chat__log', role: 'log', 'aria-live': 'polite', 'data-testid': 'chat-log' });
  const resolveButton = h(
    'button',
    { type: 'button', class: 'chat__resolve', 'data-testid': 'resolve', disabled: true },
    'Resolve conversation',
  );
  const closeButton = h(
    'button',
    { type: 'button', class: 'chat__close', 'aria-label': 'Close chat', 'data-testid': 'chat-close' },
    icon('close', 18),
  );
  const panel = h(
    'section',
    {
      id: 'chat-panel',
      class: 'chat__panel',
      role: 'dialog',
      'aria-labelledby': 'chat-title',
      'data-testid': 'chat-panel',
      hidden: true,
    },
    h(
      'header',
      { class: 'chat__header' },
      h('span', { class: 'chat__avatar', 'aria-hidden': 'true' }, 'L'),
      h(
        'div',
        { class: 'chat__heading' },
        h('h2', { id: 'chat-title' }, 'Lin, shopping assistant'),
        h('p', {}, 'AI assistant · answers instantly'),
      ),
      closeButton,
    ),
    log,
    h(
      'footer',
      { class: 'chat__footer' },
      resolveButton,
      h('p', { class: 'chat__hint' }, 'Scripted demo chat · ', h('code', {}, conversationId)),
    ),
  );
  const bubble = h(
    'button',
    {
      type: 'button',
      class: 'chat__bubble',
      'data-testid': 'chat-bubble',
      'aria-controls': 'chat-panel',
      'aria-expanded': 'false',
      'aria-label': 'Chat with our shopping assistant',
    },
    icon('chat', 26),
  );
  root.replaceChildren(h('div', { class: 'chat' }, panel, bubble));

  const scrollDown = () => {
    log.scrollTop = log.scrollHeight;
  };
  const add = (node: HTMLElement) => {
    log.appendChild(node);
    scrollDown();
    return node;
  };

  function shopperMessage(text: string): HTMLElement {
    return h('div', { class: 'msg msg--shopper', 'data-testid': 'shopper-message' }, h('p', {}, text));
  }

  /** An AI answer with the SDK's thumbs under it (they send `message.feedback` themselves). */
  function aiMessage(messageId: string, text: string): HTMLElement {
    return h(
      'div',
      { class: 'msg msg--ai', 'data-testid': 'ai-message', 'data-message-id': messageId },
      h('p', {}, text),
      h('thumbline-feedback', { conversation: conversationId, message: messageId }),
    );
  }

  const systemLine = (text: string, testid?: string) =>
    add(h('p', { class: 'chat__system', 'data-testid': testid }, text));

  async function play(): Promise<void> {
    // Message ids must be unique in the workspace: prefix them with the conversation.
    const prefix = conversationId.slice(0, 120);
    for (const [i, exchange] of SCRIPT.entries()) {
      await wait(i === 0 ? PACE.beforeShopper / 2 : PACE.beforeShopper);
      if (resolved) return;
      add(shopperMessage(exchange.shopper));
      await wait(PACE.beforeTyping);
      if (resolved) return;
      const typing = add(
        h(
          'div',
          { class: 'msg msg--ai msg--typing', 'data-testid': 'typing', 'aria-label': 'Assistant is typing' },
          h('span', {}),
          h('span', {}),
          h('span', {}),
        ),
      );
      await wait(PACE.typing(exchange.assistant));
      typing.remove();
      if (resolved) return;
      add(aiMessage(`${prefix}-a${i + 1}`, exchange.assistant));
      if (i < SCRIPT.length - 1) await wait(PACE.afterAnswer);
    }
    if (!resolved) autoResolve = setTimeout(() => void resolve(), fast ? 0 : PACE.autoResolve);
  }

  async function resolve(): Promise<void> {
    if (resolved || !started) return;
    resolved = true;
    clearTimeout(autoResolve);
    resolveButton.disabled = true;
    resolveButton.replaceChildren(icon('check', 16), 'Resolved');
    sdk.conversationResolved(conversationId);
    void sdk.flush();
    systemLine('Conversation resolved', 'resolved');

    // The SDK's prompt reads the widget's config itself: shown (and `csat_prompted` sent) only
    // while CSAT is on, with the copy for the client's locale; it sends the rating.
    const prompt = add(h('thumbline-csat', { conversation: conversationId }));
    prompt.addEventListener('thumbline-csat', () => requestAnimationFrame(scrollDown));
    new MutationObserver(() => {
      const state = prompt.getAttribute('state');
      if (state === 'off') note('CSAT prompt is off for this widget');
      if (state === 'error') note('Rating prompt unavailable: the widget config could not be read');
      requestAnimationFrame(scrollDown);
    }).observe(prompt, { attributes: true, attributeFilter: ['state'] });
  }

  function open(): void {
    panel.hidden = false;
    bubble.setAttribute('aria-expanded', 'true');
    bubble.setAttribute('aria-label', 'Close chat');
    closeButton.focus();
    if (started) return;
    started = true;
    resolveButton.disabled = false;
    sdk.conversationStarted(conversationId, { channel: 'web' });
    void play();
  }

  function close(): void {
    panel.hidden = true;
    bubble.setAttribute('aria-expanded', 'false');
    bubble.setAttribute('aria-label', 'Chat with our shopping assistant');
    bubble.focus();
  }

  bubble.addEventListener('click', () => (panel.hidden ? open() : close()));
  closeButton.addEventListener('click', close);
  resolveButton.addEventListener('click', () => void resolve());
  panel.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') close();
  });

  return { open };
}
