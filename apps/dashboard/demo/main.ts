// Demo storefront (served at /demo): a product page whose chat widget sends feedback
// through @thumbline/sdk with the workspace's public key, using the SDK's drop-in elements
// (<thumbline-feedback> under each answer, <thumbline-csat> after it resolves). See the comment in index.html
// for what it sends, and why the transcript itself is not sent from the browser.
import { createThumbline, defineElements, ThumblineError } from '@thumbline/sdk';
import { mountChat } from './chat.ts';
import { h } from './dom.ts';
import { forgetKey, readSettings, rememberKey, setKeyInUrl, type DemoSettings } from './settings.ts';

const $ = (id: string) => document.getElementById(id)!;

const settings = readSettings();
const status = $('demo-status');
const changeKey = $('change-key') as HTMLButtonElement;

function showStatus(text: string): void {
  status.textContent = text;
}

function showSettings(s: DemoSettings): void {
  $('demo-settings').replaceChildren(
    h('span', {}, 'widget ', h('code', {}, s.widget)),
    h('span', {}, 'locale ', h('code', {}, s.locale)),
    h('span', {}, 'conversation ', h('code', { 'data-testid': 'conversation-id' }, s.conversation)),
  );
}

/** The storefront's own (feedback-free) interactions: colour, size, add to bag. */
function wireStorefront(): void {
  const swatches = document.querySelectorAll<HTMLButtonElement>('.swatch');
  for (const swatch of swatches) {
    swatch.addEventListener('click', () => {
      for (const other of swatches) other.setAttribute('aria-pressed', String(other === swatch));
      $('colour-name').textContent = swatch.dataset.colour ?? '';
    });
  }
  const sizes = document.querySelectorAll<HTMLButtonElement>('.size');
  for (const size of sizes) {
    size.addEventListener('click', () => {
      for (const other of sizes) other.setAttribute('aria-pressed', String(other === size));
    });
  }
  $('add-to-bag').addEventListener('click', () => {
    const size = document.querySelector('.size[aria-pressed="true"]')?.textContent ?? 'M';
    $('added').textContent = `Added: Linen summer dress, ${$('colour-name').textContent}, size ${size}.`;
  });
}

/** Asks for the public key (data/credentials.json → public_key) and remembers it. */
function askForKey(message?: string): void {
  changeKey.hidden = true;
  const input = h('input', {
    id: 'key-input',
    class: 'key-form__input',
    'data-testid': 'key-input',
    name: 'key',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
    placeholder: 'pk_…',
  });
  const error = h('p', { class: 'key-form__error', role: 'alert', 'data-testid': 'key-error' }, message ?? '');
  const form = h(
    'form',
    { class: 'key-form', 'data-testid': 'key-form', 'aria-labelledby': 'key-form-title' },
    h('h2', { id: 'key-form-title' }, 'Connect the demo to Thumbline'),
    h(
      'p',
      {},
      'Paste the workspace’s public key: ',
      h('code', {}, 'public_key'),
      ' in ',
      h('code', {}, 'data/credentials.json'),
      ' (also printed by ',
      h('code', {}, 'npm start'),
      '). It is remembered in this browser.',
    ),
    h('label', { for: 'key-input', class: 'key-form__label' }, 'Public key'),
    input,
    error,
    h('button', { type: 'submit', class: 'key-form__submit', 'data-testid': 'key-submit' }, 'Start demo'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (key.startsWith('sk_')) {
      error.textContent = 'That is the secret key: it must never be used in a browser. Use public_key (pk_…).';
      return;
    }
    if (!key) return;
    rememberKey(key);
    setKeyInUrl(key);
    void start(key);
  });
  $('widget').replaceChildren(h('div', { class: 'key-overlay' }, form));
  input.focus();
}

async function start(key: string): Promise<void> {
  showStatus('');
  const sdk = createThumbline({
    baseUrl: location.origin,
    publicKey: key,
    widgetId: settings.widget,
    locale: settings.locale,
    onError: (err) => {
      if (!err.details.retrying || err.details.status !== undefined) showStatus(`Delivery problem: ${err.message}`);
    },
  });
  // Check the key once up front, so a wrong one gets the form again rather than silent 401s.
  try {
    const config = await sdk.config();
    showStatus(`CSAT prompt ${config.csat_enabled ? 'on' : 'off'}`);
  } catch (err) {
    const code = err instanceof ThumblineError ? err.details.code : undefined;
    if (code === 'unauthorized') {
      sdk.close();
      forgetKey();
      setKeyInUrl(null);
      askForKey('That key was not accepted. Use public_key from data/credentials.json of this server.');
      return;
    }
    showStatus(err instanceof Error ? err.message : String(err));
  }
  rememberKey(key);
  // <thumbline-feedback> and <thumbline-csat> send through this client from now on.
  defineElements(sdk);
  changeKey.hidden = false;
  const chat = mountChat($('widget'), {
    sdk,
    conversationId: settings.conversation,
    fast: settings.fast,
    note: showStatus,
  });
  if (settings.open) chat.open();
}

changeKey.addEventListener('click', () => {
  forgetKey();
  setKeyInUrl(null);
  location.reload();
});

showSettings(settings);
wireStorefront();
if (settings.key) void start(settings.key);
else askForKey();
