import type { ThumblineClient } from '../client.ts';
import { csatElement } from './csat.ts';
import { feedbackElement } from './feedback.ts';

export interface ElementsOptions {
  /** Where to define them (default the page's `customElements`). */
  registry?: CustomElementRegistry;
}

declare global {
  interface HTMLElementTagNameMap {
    'thumbline-feedback': HTMLElement & { readonly value: import('../types.ts').Thumb };
    'thumbline-csat': HTMLElement;
  }
}

let current: ThumblineClient | undefined;

/**
 * Defines `<thumbline-feedback>` and `<thumbline-csat>`, sending through `client`. Calling
 * it again (a new key) switches the client of every element; the tags are defined once.
 * The classes are built here, not at import, so importing the package on a server
 * (server-side rendering) needs no DOM.
 */
export function defineElements(client: ThumblineClient, options: ElementsOptions = {}): void {
  current = client;
  const registry = options.registry ?? customElements;
  const get = () => current;
  if (!registry.get('thumbline-feedback')) registry.define('thumbline-feedback', feedbackElement(get));
  if (!registry.get('thumbline-csat')) registry.define('thumbline-csat', csatElement(get));
}
