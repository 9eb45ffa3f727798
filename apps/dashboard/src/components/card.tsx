// A titled card.
import type { ComponentChildren } from 'preact';

interface CardProps {
  title: ComponentChildren;
  subtitle?: ComponentChildren;
  actions?: ComponentChildren;
  class?: string;
  id?: string;
  children: ComponentChildren;
}

export function Card({ title, subtitle, actions, class: cls, id, children }: CardProps) {
  return (
    <section class={cls ? `card ${cls}` : 'card'} id={id}>
      <header class="card-head">
        <div>
          <h2 class="card-title">{title}</h2>
          {subtitle && <p class="card-subtitle">{subtitle}</p>}
        </div>
        {actions && <div class="card-actions">{actions}</div>}
      </header>
      <div class="card-body">{children}</div>
    </section>
  );
}

/** An error line inside a card. */
export function ErrorNote({ children }: { children: ComponentChildren }) {
  return (
    <p class="error-note" role="alert">
      {children}
    </p>
  );
}
