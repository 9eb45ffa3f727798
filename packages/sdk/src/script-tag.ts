/**
 * The script-tag bundle (`/sdk/v1/thumbline.js`):
 *   <script src="https://thumbline.example/sdk/v1/thumbline.js" data-key="pk_…" async></script>
 * creates a client for the public key (sending to the script's own origin unless
 * `data-base-url` says otherwise; `data-widget` is optional, `data-locale` defaults to the page's
 * `lang`), defines the
 * elements, and exposes the client as `window.thumbline` for calls of your own.
 */
import { createThumbline, type ThumblineClient } from './client.ts';
import { defineElements } from './elements/define.ts';

declare global {
  interface Window {
    thumbline?: ThumblineClient;
  }
}

const script = document.currentScript as HTMLScriptElement | null;
const data = script?.dataset ?? {};
if (!script || !data.key) {
  console.warn('[thumbline] add data-key="pk_…" to the <script> tag of thumbline.js');
} else {
  const client = createThumbline({
    baseUrl: data.baseUrl ?? new URL(script.src).origin,
    publicKey: data.key,
    widgetId: data.widget,
    locale: data.locale ?? (document.documentElement.lang || undefined),
    onError: (err) => {
      if (!err.details.retrying) console.warn(`[thumbline] ${err.message}`);
    },
  });
  window.thumbline = client;
  defineElements(client);
}
