/** Shadow-root plumbing shared by the elements: styles, icons, the page's language. */

/** Thumb icons: stroke paths from Feather (MIT). */
const UP =
  'M14 9V5a3 3 0 0 0-3-3l-4 9v11h11.28a2 2 0 0 0 2-1.7l1.38-9a2 2 0 0 0-2-2.3zM7 22H4a2 2 0 0 1-2-2v-7a2 2 0 0 1 2-2h3';
const DOWN =
  'M10 15v4a3 3 0 0 0 3 3l4-9V2H5.72a2 2 0 0 0-2 1.7l-1.38 9a2 2 0 0 0 2 2.3zm7-13h2.67A2.31 2.31 0 0 1 22 4v7a2.31 2.31 0 0 1-2.33 2H17';

/** A thumb button (static markup; labels are set as attributes afterwards). */
export const thumbButton = (thumb: 'up' | 'down') =>
  `<button type="button" part="thumb ${thumb}" aria-pressed="false"><svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="${thumb === 'up' ? UP : DOWN}"/></svg></button>`;

/**
 * Themable with CSS custom properties on the element (or any ancestor):
 * --thumbline-color, --thumbline-accent, --thumbline-accent-text, --thumbline-background,
 * --thumbline-border, --thumbline-radius, --thumbline-size, --thumbline-font.
 * Parts (`::part(thumb)`, `up`, `down`, `pressed`, `title`, `reason`, `submit`, …) reach deeper.
 */
export const BASE_CSS = `:host{font:var(--thumbline-font,inherit);color:var(--thumbline-color,inherit)}
[hidden]{display:none!important}
button{font:inherit;color:inherit;cursor:pointer;border:1px solid var(--thumbline-border,#0003);background:var(--thumbline-background,transparent);border-radius:var(--thumbline-radius,6px)}
button:focus-visible,textarea:focus-visible{outline:2px solid var(--thumbline-accent,#2563eb);outline-offset:2px}
[part~=thumb]{display:inline-grid;place-items:center;width:var(--thumbline-size,32px);height:var(--thumbline-size,32px);padding:0}
[part~=pressed]{background:var(--thumbline-accent,#2563eb);border-color:var(--thumbline-accent,#2563eb);color:var(--thumbline-accent-text,#fff)}
svg{width:55%;height:55%;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}`;

/**
 * An open shadow root holding `html` and the styles: a constructed stylesheet, which a
 * page's Content-Security-Policy without 'unsafe-inline' still allows, else a <style>.
 */
export function shadow(host: HTMLElement, css: string, html: string): ShadowRoot {
  const root = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
  root.innerHTML = html;
  const all = BASE_CSS + css;
  try {
    const own = new CSSStyleSheet();
    own.replaceSync(all);
    root.adoptedStyleSheets = [own];
  } catch {
    const style = document.createElement('style');
    style.textContent = all;
    root.prepend(style);
  }
  return root;
}

/** Marks a thumb pressed or not (`aria-pressed` and the `pressed` part). */
export function press(button: Element, pressed: boolean): void {
  button.setAttribute('aria-pressed', String(pressed));
  button.part.toggle('pressed', pressed);
}

/** The language of the page around an element: the closest `lang`, else the browser's. */
export const pageLang = (el: Element): string | undefined =>
  el.closest('[lang]')?.getAttribute('lang') || (typeof navigator !== 'undefined' ? navigator.language : undefined);

/** Tells the page, e.g. `thumbline-feedback` with `{ thumb, event_id }`; bubbles out of the shadow root. */
export const announce = (el: Element, type: string, detail: object) =>
  el.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
