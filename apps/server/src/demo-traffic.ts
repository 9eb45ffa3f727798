import type { Logger } from '@thumbline/core';
import { MAX_EVENTS_PER_REQUEST, type Event } from '@thumbline/events';
import { reviewPastWeeks } from './demo-reviews.ts';

/**
 * Simulated shoppers for `npm run demo` (`npm start -- --demo`): conversations on three
 * widgets in four locales (en-US, es-ES, de-DE, fr-FR), with transcripts (`message.created`),
 * thumbs (some flipped later), resolutions, rating prompts and CSAT ratings, sent to the server's own `POST /v1/events` over HTTP like
 * any chat backend. It uses the SECRET key, so it runs server-side only; the browser demo
 * (/demo) sends the widget events with the public key.
 *
 * At start it backfills ~300 conversations over the past 30 days (unless the workspace
 * already has that history), then starts a new conversation every 1–3 s. Recurring,
 * poorly answered questions ("Do you ship to Canada?", "do u ship to canada", …) collect
 * thumbs-down, so Recommendations → knowledge gaps fills up; answers cite fake help-center
 * articles (`sources`), so the Sources card ranks them. The weekly loop has run twice in that
 * history: 14 days ago the team added a "Shipping to Canada" article (from then on that question is
 * answered well) and 8 days ago it rewrote the return-policy answer without helping; after the
 * backfill both gaps are marked answered at those times (CONTRACT §13), so Recommendations shows
 * one fixed and one that came back. Most downvoted conversations of the past weeks get a review
 * (demo-reviews.ts), so the overview's triage card compares with a previous period. Failures are
 * logged, never thrown.
 */

export interface DemoTrafficOptions {
  /** Where the server listens, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  credentials: { secret_key: string; public_key: string; dashboard_token: string };
  log: Logger;
  /** The server's THUMBLINE_MAX_EVENT_AGE_DAYS: the backfill stays inside it. Default 30. */
  maxEventAgeDays?: number;
  /** Conversations to backfill over the past 30 days. Default 300; 0 turns the backfill off. */
  backfill?: number;
  /** A new live conversation every `[min, max]` ms. Default [1000, 3000]. */
  intervalMs?: readonly [number, number];
}

export interface DemoTraffic {
  /** Stops new events and waits (briefly) for requests in flight. */
  stop(): Promise<void>;
}

type Lang = 'en' | 'de' | 'fr' | 'es';
type Texts = Record<Lang, readonly string[]>;
/** Omit over each member of a union (plain Omit would merge the union into its common keys). */
type OmitEach<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An event before it gets its `ts` (live: when due; backfill: computed). */
type Body = OmitEach<Event, 'ts'> & { ts?: number };

interface Topic {
  /** Chance that a shopper thumbs the answer down. */
  down: number;
  /** Relative frequency. */
  weight: number;
  questions: Texts;
  answers: Texts;
  /** Reasons a shopper gives for a negative rating after this topic. */
  reasons: Texts;
  /** The help-center articles its answers cite (`sources`, CONTRACT §11). */
  sources: readonly Source[];
  /**
   * The team marked this gap answered `daysAgo` days ago; with `fix`, its answers from then on are
   * good ones (without, the change did not help).
   */
  answered?: { daysAgo: number; fix?: { down: number; answers: Texts; sources: readonly Source[] } };
}

interface Source {
  id: string;
  title: string;
  url: string;
}

const article = (id: string, title: string): Source => ({ id, title, url: `https://help.example.com/articles/${id}` });

/** A fake help center. Shipping destinations backs both a vague answer and a good one. */
const ARTICLES = {
  shipping: article('shipping-destinations', 'Where we ship'),
  returns: article('returns-and-exchanges', 'Returns and exchanges'),
  sizing: article('size-guide', 'Size guide'),
  care: article('caring-for-linen', 'Caring for linen'),
  delivery: article('delivery-times', 'Delivery times'),
  newsletter: article('newsletter-discount', 'Newsletter discount'),
  restock: article('restock-notifications', 'Restock notifications'),
  fabrics: article('our-fabrics', 'Our fabrics'),
  tracking: article('order-tracking', 'Tracking your order'),
  canada: article('shipping-to-canada', 'Shipping to Canada'),
};

export const DEMO_WIDGETS: readonly { widget: string; locale: string; lang: Lang; weight: number }[] = [
  { widget: 'default', locale: 'en-US', lang: 'en', weight: 4.5 },
  { widget: 'default', locale: 'es-ES', lang: 'es', weight: 1.5 },
  { widget: 'bubble-de', locale: 'de-DE', lang: 'de', weight: 2.5 },
  { widget: 'bubble-fr', locale: 'fr-FR', lang: 'fr', weight: 1.5 },
];

const GENERIC_REASONS: Texts = {
  en: ['Too generic', 'Wanted to talk to a human', 'Had to ask the same thing twice', 'Answer was too slow'],
  de: ['Zu allgemein', 'Ich wollte mit einem Menschen sprechen', 'Musste zweimal fragen'],
  fr: ['Trop général', 'Je voulais parler à un humain', "J'ai dû reposer la question"],
  es: ['Demasiado genérico', 'Quería hablar con una persona', 'Tuve que preguntar dos veces'],
};

/**
 * The first three topics are the assistant's knowledge gaps: vague answers that shoppers
 * thumb down. The rest are answered well.
 */
const TOPICS: readonly Topic[] = [
  {
    down: 0.75,
    weight: 4,
    questions: {
      en: [
        'Do you ship to Canada?',
        'do u ship to canada',
        'Do you ship to Canada??',
        'do you ship to canada',
        'Can you ship to Canada?',
      ],
      de: ['Liefert ihr nach Kanada?', 'Versendet ihr auch nach Kanada?'],
      fr: ['Livrez-vous au Canada ?', 'Vous livrez au Canada ?'],
      es: ['¿Envían a Canadá?', '¿Hacen envíos a Canadá?'],
    },
    answers: {
      en: [
        'We ship to many countries. Please check our shipping page for details.',
        "I'm not sure about that destination. You can find our shipping information in the footer of the site.",
      ],
      de: ['Wir liefern in viele Länder. Details findest du auf unserer Versandseite.'],
      fr: ['Nous livrons dans de nombreux pays. Consultez notre page Livraison pour plus de détails.'],
      es: ['Enviamos a muchos países. Consulta nuestra página de envíos para más detalles.'],
    },
    reasons: {
      en: ["Didn't answer whether you ship to Canada", 'Shipping answer was useless'],
      de: ['Keine Antwort zum Versand nach Kanada'],
      fr: ['Pas de réponse sur la livraison au Canada'],
      es: ['No respondió si envían a Canadá'],
    },
    sources: [ARTICLES.shipping],
    answered: {
      daysAgo: 14,
      fix: {
        down: 0.03,
        answers: {
          en: ['Yes, we ship to Canada: 5–8 business days, duties included at checkout.'],
          de: ['Ja, wir liefern nach Kanada: 5–8 Werktage, Zölle sind im Preis enthalten.'],
          fr: ['Oui, nous livrons au Canada : 5 à 8 jours ouvrés, droits de douane inclus.'],
          es: ['Sí, enviamos a Canadá: 5–8 días hábiles, aranceles incluidos.'],
        },
        sources: [ARTICLES.canada],
      },
    },
  },
  {
    down: 0.6,
    weight: 2.5,
    questions: {
      en: ['What is your return policy?', 'what is your return policy', 'Whats your return policy?'],
      de: ['Wie sind eure Rückgabebedingungen?', 'Wie funktioniert die Rücksendung?'],
      fr: ['Quelle est votre politique de retour ?', 'Comment fonctionnent les retours ?'],
      es: ['¿Cuál es su política de devoluciones?', '¿Cómo funcionan las devoluciones?'],
    },
    answers: {
      en: ['Returns are possible under certain conditions. Please contact our support team for more information.'],
      de: ['Rücksendungen sind unter bestimmten Bedingungen möglich. Bitte wende dich an den Kundenservice.'],
      fr: ['Les retours sont possibles sous certaines conditions. Contactez notre service client.'],
      es: ['Las devoluciones son posibles bajo ciertas condiciones. Contacta con atención al cliente.'],
    },
    reasons: {
      en: ['Return policy answer was vague', 'Could not find out how to return'],
      de: ['Antwort zur Rückgabe war zu vage'],
      fr: ['Réponse sur les retours trop vague'],
      es: ['La respuesta sobre devoluciones fue muy vaga'],
    },
    sources: [ARTICLES.returns],
    answered: { daysAgo: 8 },
  },
  {
    down: 0.6,
    weight: 2.5,
    questions: {
      en: ['Does this run true to size?', 'does it run true to size', 'Does this dress run true to size?'],
      de: ['Fällt das Kleid normal aus?', 'Fällt es größengerecht aus?'],
      fr: ['Est-ce que la robe taille normalement ?', 'Ça taille normalement ?'],
      es: ['¿Este vestido talla normal?', '¿La talla es la habitual?'],
    },
    answers: {
      en: [
        'Our items follow standard sizing. Please refer to the size chart.',
        'Most customers take their usual size.',
      ],
      de: ['Unsere Artikel folgen den Standardgrößen. Bitte sieh in der Größentabelle nach.'],
      fr: ['Nos articles suivent les tailles standard. Consultez le guide des tailles.'],
      es: ['Nuestros artículos siguen las tallas estándar. Consulta la guía de tallas.'],
    },
    reasons: {
      en: ['Wrong size advice', 'The size advice was wrong, I had to return it'],
      de: ['Falsche Größenberatung'],
      fr: ['Mauvais conseil de taille'],
      es: ['Mal consejo de talla'],
    },
    sources: [ARTICLES.sizing],
  },
  {
    down: 0.08,
    weight: 2,
    questions: {
      en: ['Can I machine wash linen?', 'How do I wash this dress?'],
      de: ['Kann ich Leinen in der Maschine waschen?'],
      fr: ['Puis-je laver le lin en machine ?'],
      es: ['¿Puedo lavar el lino en la lavadora?'],
    },
    answers: {
      en: ['Yes: machine wash cold on a gentle cycle and line dry. Avoid tumble drying so the linen keeps its length.'],
      de: ['Ja: kalt im Schonwaschgang waschen und an der Leine trocknen. Bitte nicht in den Trockner.'],
      fr: ['Oui : lavage à froid en cycle délicat, séchage à l’air libre. Évitez le sèche-linge.'],
      es: ['Sí: lavado en frío con programa delicado y secado al aire. Evita la secadora.'],
    },
    reasons: GENERIC_REASONS,
    sources: [ARTICLES.care],
  },
  {
    down: 0.1,
    weight: 2,
    questions: {
      en: ['How long does delivery take?', 'When will my order arrive if I order today?'],
      de: ['Wie lange dauert die Lieferung?'],
      fr: ['Combien de temps prend la livraison ?'],
      es: ['¿Cuánto tarda la entrega?'],
    },
    answers: {
      en: ['Orders placed before 2 pm ship the same day. Standard delivery takes 2–4 business days.'],
      de: ['Bestellungen bis 14 Uhr verlassen noch am selben Tag das Lager. Die Lieferung dauert 2–4 Werktage.'],
      fr: ['Les commandes passées avant 14 h partent le jour même. La livraison prend 2 à 4 jours ouvrés.'],
      es: ['Los pedidos hechos antes de las 14 h salen el mismo día. La entrega tarda de 2 a 4 días laborables.'],
    },
    reasons: GENERIC_REASONS,
    sources: [ARTICLES.delivery, ARTICLES.shipping],
  },
  {
    down: 0.2,
    weight: 1.5,
    questions: {
      en: ['Do you have a discount code?', 'Is there a first order discount?'],
      de: ['Gibt es einen Rabattcode?'],
      fr: ['Avez-vous un code promo ?'],
      es: ['¿Tienen un código de descuento?'],
    },
    answers: {
      en: ['Sign up to our newsletter for 10% off your first order; the code arrives by email within minutes.'],
      de: ['Mit der Newsletter-Anmeldung bekommst du 10 % auf deine erste Bestellung.'],
      fr: ['Inscrivez-vous à la newsletter pour obtenir 10 % sur votre première commande.'],
      es: ['Suscríbete al boletín y obtén un 10 % en tu primer pedido.'],
    },
    reasons: GENERIC_REASONS,
    sources: [ARTICLES.newsletter],
  },
  {
    down: 0.12,
    weight: 1.5,
    questions: {
      en: ['Is the sand colour back in stock in size S?', 'When will size M be restocked?'],
      de: ['Ist Größe S in Sand wieder verfügbar?'],
      fr: ['La taille S en sable est-elle de nouveau disponible ?'],
      es: ['¿Vuelve a haber la talla S en color arena?'],
    },
    answers: {
      en: ["Size S in sand is back in stock. For sold-out sizes, tap 'Notify me' and we email you on restock."],
      de: ['Größe S in Sand ist wieder da. Bei ausverkauften Größen hilft „Benachrichtigen“ auf der Produktseite.'],
      fr: ['La taille S en sable est de retour. Pour une taille épuisée, cliquez sur « Me prévenir ».'],
      es: ['La talla S en arena vuelve a estar disponible. Para tallas agotadas, pulsa «Avísame».'],
    },
    reasons: GENERIC_REASONS,
    sources: [ARTICLES.restock],
  },
  {
    down: 0.05,
    weight: 1.5,
    questions: {
      en: ['Is this 100% linen?', 'What is the fabric made of?'],
      de: ['Ist das 100 % Leinen?'],
      fr: ['Est-ce 100 % lin ?'],
      es: ['¿Es 100 % lino?'],
    },
    answers: {
      en: ['Yes, it is 100% European flax linen, garment washed for softness.'],
      de: ['Ja, 100 % europäisches Flachsleinen, stonewashed für einen weichen Griff.'],
      fr: ['Oui, 100 % lin européen, lavé pour plus de douceur.'],
      es: ['Sí, 100 % lino europeo, lavado para mayor suavidad.'],
    },
    reasons: GENERIC_REASONS,
    sources: [ARTICLES.fabrics],
  },
  {
    down: 0.15,
    weight: 1.5,
    questions: {
      en: ['Where is my order?', 'How can I track my parcel?'],
      de: ['Wo ist meine Bestellung?'],
      fr: ['Où en est ma commande ?'],
      es: ['¿Dónde está mi pedido?'],
    },
    answers: {
      en: ['Use the tracking link in your shipping confirmation email, or open Orders in your account.'],
      de: ['Nutze den Tracking-Link aus der Versandbestätigung oder sieh unter Bestellungen in deinem Konto nach.'],
      fr: ["Utilisez le lien de suivi de l'e-mail d'expédition, ou la rubrique Commandes de votre compte."],
      es: ['Usa el enlace de seguimiento del correo de envío o abre Pedidos en tu cuenta.'],
    },
    reasons: GENERIC_REASONS,
    sources: [ARTICLES.tracking],
  },
];

const THANKS: Record<Lang, readonly [string, string][]> = {
  en: [
    ['Thanks!', "You're welcome! Anything else I can help with?"],
    ['ok thank you', 'Happy to help. Enjoy your day!'],
  ],
  de: [['Danke!', 'Gern geschehen! Kann ich sonst noch helfen?']],
  fr: [['Merci !', 'Avec plaisir ! Puis-je vous aider pour autre chose ?']],
  es: [['¡Gracias!', '¡De nada! ¿Puedo ayudarte con algo más?']],
};

const DAY_MS = 86_400_000;
/** Backfilled conversations last ~8x longer than live ones (minutes rather than seconds). */
const BACKFILL_STRETCH = 8;
/** Backfill only when the past days hold less history than this many ratings and thumbs. */
const HISTORY_THRESHOLD = 100;
/** Thumbs-down factor of live conversations; the backfill rises from it to 1.4 a month ago. */
const LIVE_QUALITY = 0.8;

type Rng = () => number;

/** The rating prompt and the rating only happen on widgets whose CSAT collection is on. */
const needsCsat = (b: Body) => b.type === 'conversation.csat' || b.type === 'conversation.csat_prompted';

const between = (rng: Rng, min: number, max: number) => min + Math.floor(rng() * (max - min + 1));
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;

function weighted<T extends { weight: number }>(rng: Rng, items: readonly T[]): T {
  let r = rng() * items.reduce((sum, item) => sum + item.weight, 0);
  for (const item of items) {
    r -= item.weight;
    if (r < 0) return item;
  }
  return items[items.length - 1]!;
}

function randomId(rng: Rng): string {
  let s = '';
  for (let i = 0; i < 10; i++) s += Math.floor(rng() * 36).toString(36);
  return s;
}

/** One event of a planned conversation, `at` ms after it started. */
export interface PlannedEvent {
  at: number;
  body: Body;
}

export interface PlannedConversation {
  conversationId: string;
  widget: string;
  events: PlannedEvent[];
}

/**
 * A simulated conversation: offsets in live milliseconds (a conversation takes 10–60 s).
 * `quality` scales the chance of thumbs-down (1 = as the topics say; > 1 worse). `daysAgo`: when it
 * happens; a topic whose fix came later is still answered the old way.
 */
export function planConversation(rng: Rng, quality = 1, daysAgo = 0): PlannedConversation {
  const site = weighted(rng, DEMO_WIDGETS);
  const conversationId = `sim-${randomId(rng)}`;
  const common = { conversation_id: conversationId, widget_id: site.widget, locale: site.locale };
  const events: PlannedEvent[] = [];
  const push = (at: number, body: OmitEach<Event, keyof typeof common | 'event_id' | 'ts'>) =>
    events.push({ at, body: { event_id: crypto.randomUUID(), ...common, ...body } });

  push(0, { type: 'conversation.started', channel: rng() < 0.85 ? 'web' : 'mobile' });
  const topics: Topic[] = [];
  const exchanges = between(rng, 1, 3);
  while (topics.length < exchanges) {
    const topic = weighted(rng, TOPICS);
    if (!topics.includes(topic)) topics.push(topic);
  }

  let t = 0;
  let n = 0;
  let downs = 0;
  const badTopics: Topic[] = [];
  const exchange = (question: string, answer: string, topic: Topic | undefined) => {
    t += between(rng, 1500, 5000);
    push(t, { type: 'message.created', message_id: `${conversationId}-m${++n}`, role: 'shopper', text: question });
    t += between(rng, 1200, 3500);
    const answerId = `${conversationId}-m${++n}`;
    push(t, {
      type: 'message.created',
      message_id: answerId,
      role: 'assistant',
      text: answer,
      ...(topic ? { sources: [...topic.sources] } : {}),
    });
    if (!topic || rng() > 0.65) return; // most answers get no thumb
    let thumb: 'up' | 'down' = rng() < Math.min(0.95, topic.down * quality) ? 'down' : 'up';
    const ratedAt = t + between(rng, 1500, 8000);
    push(ratedAt, { type: 'message.feedback', message_id: answerId, thumb });
    if (rng() < 0.12) {
      // The shopper changes their mind later (or takes the thumb back).
      const next = rng() < 0.3 ? 'none' : thumb === 'up' ? 'down' : 'up';
      push(ratedAt + between(rng, 15_000, 45_000), { type: 'message.feedback', message_id: answerId, thumb: next });
      if (next !== 'none') thumb = next;
      else return;
    }
    if (thumb === 'down') {
      downs += 1;
      badTopics.push(topic);
    }
  };
  for (const topic of topics) {
    const fix = topic.answered?.fix && daysAgo < topic.answered.daysAgo ? topic.answered.fix : null;
    const asked = fix ? { ...topic, ...fix } : topic;
    exchange(pick(rng, topic.questions[site.lang]), pick(rng, asked.answers[site.lang]), asked);
  }
  if (rng() < 0.3) exchange(...pick(rng, THANKS[site.lang]), undefined);

  if (rng() < 0.9) {
    const resolvedAt = t + between(rng, 3000, 8000);
    push(resolvedAt, { type: 'conversation.resolved' });
    // The widget shows the rating prompt (when its CSAT is on); most shoppers answer it.
    const promptedAt = resolvedAt + between(rng, 500, 1500);
    push(promptedAt, { type: 'conversation.csat_prompted' });
    if (rng() < 0.7) {
      const negative = downs > 0 ? rng() < 0.75 : rng() < 0.08;
      const rating =
        rng() < 0.6
          ? { thumb: negative ? ('down' as const) : ('up' as const) }
          : { score: negative ? pick(rng, [1, 2, 2]) : pick(rng, [3, 4, 4, 5, 5, 5]) };
      const reasons = badTopics.length > 0 ? pick(rng, badTopics).reasons : GENERIC_REASONS;
      const reason = negative && rng() < 0.75 ? pick(rng, reasons[site.lang]) : undefined;
      push(promptedAt + between(rng, 2000, 6000), {
        type: 'conversation.csat',
        ...rating,
        ...(reason ? { reason } : {}),
      });
    }
  }
  events.sort((a, b) => a.at - b.at);
  return { conversationId, widget: site.widget, events };
}

export function startDemoTraffic(options: DemoTrafficOptions): DemoTraffic {
  const { credentials, log } = options;
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const maxAgeDays = Math.min(30, options.maxEventAgeDays ?? 30);
  const backfillCount = options.backfill ?? 300;
  const [minGap, maxGap] = options.intervalMs ?? [1000, 3000];
  const rng: Rng = Math.random;
  const abort = new AbortController();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const inFlight = new Set<Promise<unknown>>();
  const outbox: Body[] = [];
  const csatCache = new Map<string, { enabled: boolean; at: number }>();
  const stats = { conversations: 0, events: 0, rejected: 0 };
  const sleepers = new Set<() => void>();
  let stopped = false;
  let lastWarning = 0;
  let suppressed = 0;

  /** At most one warning per 30 s (a stopped server must not flood the log). */
  const warn = (obj: Record<string, unknown>, msg: string) => {
    const now = Date.now();
    if (now - lastWarning < 30_000) {
      suppressed += 1;
      return;
    }
    log.warn({ ...obj, suppressed }, msg);
    lastWarning = now;
    suppressed = 0;
  };

  const later = (ms: number, fn: () => void) => {
    if (stopped) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!stopped) fn();
    }, ms);
    timers.add(timer);
  };

  /** Resolves after `ms`, or at once when traffic stops. */
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      sleepers.add(wake);
    });

  const track = <T>(promise: Promise<T>): Promise<T> => {
    inFlight.add(promise);
    void promise.finally(() => inFlight.delete(promise)).catch(() => undefined);
    return promise;
  };

  /** POSTs a batch with the secret key. True when the server took it (202). */
  async function post(events: Body[]): Promise<{ ok: boolean; retry: boolean }> {
    try {
      const res = await fetch(`${baseUrl}/v1/events`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${credentials.secret_key}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ events }),
        signal: abort.signal,
      });
      const text = await res.text();
      if (res.status === 202) {
        const body = JSON.parse(text) as { accepted: number; rejected: { code: string; message: string }[] };
        stats.events += body.accepted;
        stats.rejected += body.rejected.length;
        if (body.rejected.length > 0) {
          log.debug(
            { rejected: body.rejected.slice(0, 3), count: body.rejected.length },
            'demo traffic: events rejected',
          );
        }
        return { ok: true, retry: false };
      }
      warn({ status: res.status, body: text.slice(0, 300) }, 'demo traffic: events refused');
      return { ok: false, retry: res.status === 429 || res.status >= 500 };
    } catch (err) {
      if (!stopped) warn({ err }, 'demo traffic: sending events failed');
      return { ok: false, retry: true };
    }
  }

  /** Whether a widget shows the CSAT prompt now (cached 5 s), like a real widget asks. */
  async function csatEnabled(widget: string): Promise<boolean> {
    const cached = csatCache.get(widget);
    if (cached && Date.now() - cached.at < 5000) return cached.enabled;
    let enabled = true;
    try {
      const res = await fetch(`${baseUrl}/v1/widgets/${encodeURIComponent(widget)}/config`, {
        headers: { Authorization: `Bearer ${credentials.public_key}` },
        signal: abort.signal,
      });
      if (res.ok) enabled = ((await res.json()) as { csat_enabled: boolean }).csat_enabled;
    } catch {
      // Unknown: send the rating; the server refuses it if CSAT is off.
    }
    csatCache.set(widget, { enabled, at: Date.now() });
    return enabled;
  }

  // ---- live traffic -------------------------------------------------------------

  function flushOutbox(): void {
    if (stopped || outbox.length === 0) return;
    const events = outbox.splice(0, MAX_EVENTS_PER_REQUEST);
    void track(post(events));
  }

  function startConversation(): void {
    const plan = planConversation(rng, LIVE_QUALITY);
    stats.conversations += 1;
    for (const { at, body } of plan.events) {
      later(at, () => {
        if (!needsCsat(body)) {
          outbox.push({ ...body, ts: Date.now() });
          return;
        }
        void track(
          csatEnabled(plan.widget).then((enabled) => {
            if (enabled && !stopped) outbox.push({ ...body, ts: Date.now() });
          }),
        );
      });
    }
  }

  function loop(): void {
    startConversation();
    later(between(rng, minGap, maxGap), loop);
  }

  // ---- backfill -----------------------------------------------------------------

  /** True when the past days already hold demo-sized history (a restart with the same data). */
  async function hasHistory(): Promise<boolean> {
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const now = Date.now();
    const query = new URLSearchParams({ from: day(now - (maxAgeDays - 1) * DAY_MS), to: day(now - DAY_MS), tz: 'UTC' });
    try {
      const res = await fetch(`${baseUrl}/v1/analytics/overview?${query}`, {
        headers: { Authorization: `Bearer ${credentials.dashboard_token}` },
        signal: abort.signal,
      });
      if (!res.ok) return false;
      const o = (await res.json()) as { csat: { rated: number }; thumbs: { up: number; down: number } };
      return o.csat.rated + o.thumbs.up + o.thumbs.down >= HISTORY_THRESHOLD;
    } catch {
      return false;
    }
  }

  async function backfill(): Promise<void> {
    if (backfillCount <= 0) return;
    if (await hasHistory()) {
      log.info('demo traffic: the workspace already has history; no backfill');
      return;
    }
    const now = Date.now();
    // Stay 2 h inside the age limit: the batches take a moment to send.
    const oldest = now - maxAgeDays * DAY_MS + 2 * 60 * 60_000;
    const newest = now - 15 * 60_000;
    const csatOff = new Set<string>();
    for (const { widget } of DEMO_WIDGETS) if (!(await csatEnabled(widget))) csatOff.add(widget);

    const events: Body[] = [];
    for (let i = 0; i < backfillCount; i++) {
      // Traffic doubles over the month (density 1 + x on x in [0, 1], sampled by its
      // inverse CDF) and is lower at night (UTC); quality improves over the month.
      let start: number;
      do {
        start = oldest + (Math.sqrt(1 + 3 * rng()) - 1) * (newest - oldest);
      } while (new Date(start).getUTCHours() < 7 && rng() < 0.7);
      const age = (now - start) / (maxAgeDays * DAY_MS); // 1 = oldest, 0 = now
      const plan = planConversation(rng, LIVE_QUALITY + 0.6 * age, (now - start) / DAY_MS);
      for (const { at, body } of plan.events) {
        const ts = Math.round(Math.min(start + at * BACKFILL_STRETCH, now - 60_000));
        if (needsCsat(body) && csatOff.has(plan.widget)) continue;
        events.push({ ...body, ts });
      }
    }
    events.sort((a, b) => a.ts! - b.ts!);
    let sent = 0;
    for (let i = 0; i < events.length && !stopped; i += MAX_EVENTS_PER_REQUEST) {
      const chunk = events.slice(i, i + MAX_EVENTS_PER_REQUEST);
      for (let attempt = 1; attempt <= 4 && !stopped; attempt++) {
        const result = await track(post(chunk));
        if (result.ok) sent += chunk.length;
        if (result.ok || !result.retry) break;
        await pause(500 * 2 ** attempt);
      }
    }
    if (!stopped) {
      log.info(
        { conversations: backfillCount, events: sent, of: events.length, days: maxAgeDays },
        'demo traffic: backfilled history',
      );
      await markAnswered(now);
    }
  }

  /**
   * Marks the gaps of the topics the team answered (Topic.answered) at their time, once the
   * backfill's thumbs-down have been counted and grouped (the list is polled for up to 2 minutes).
   */
  async function markAnswered(now: number): Promise<void> {
    const headers = { Authorization: `Bearer ${credentials.dashboard_token}` };
    for (const topic of TOPICS) {
      if (!topic.answered) continue;
      const question = topic.questions.en[0]!;
      let id: string | undefined;
      for (let i = 0; i < 60 && !stopped && !id; i++) {
        const res = await fetch(`${baseUrl}/v1/recommendations/knowledge-gaps?tz=UTC`, {
          headers,
          signal: abort.signal,
        });
        const items = res.ok ? ((await res.json()) as { items: { id: string; examples: string[] }[] }).items : [];
        id = items.find((g) => g.examples.includes(question))?.id;
        if (!id) await pause(2000);
      }
      if (!id) {
        warn({ question }, 'demo traffic: no knowledge gap to mark answered');
        continue;
      }
      const source = topic.answered.fix?.sources[0]?.id;
      const res = await fetch(`${baseUrl}/v1/recommendations/knowledge-gaps/${id}/answered?tz=UTC`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ at: now - topic.answered.daysAgo * DAY_MS, ...(source ? { source_id: source } : {}) }),
        signal: abort.signal,
      });
      if (res.ok) log.info({ question }, 'demo traffic: marked a knowledge gap answered');
      else warn({ question, status: res.status }, 'demo traffic: marking a gap answered failed');
    }
    if (!stopped) {
      // Alongside the live traffic: it waits for the backfill to be stored first.
      void track(
        reviewPastWeeks({
          baseUrl,
          dashboardToken: credentials.dashboard_token,
          log,
          rng,
          signal: abort.signal,
          days: maxAgeDays,
        }).then(
          (reviewed) => log.info({ reviewed }, 'demo traffic: reviewed past downvoted conversations'),
          (err: unknown) => {
            if (!stopped) warn({ err }, 'demo traffic: past reviews failed');
          },
        ),
      );
    }
  }

  const flushTimer = setInterval(flushOutbox, 500);
  const statsTimer = setInterval(() => log.debug({ ...stats }, 'demo traffic: totals'), 60_000);
  const started = backfill()
    .catch((err: unknown) => log.warn({ err }, 'demo traffic: backfill failed'))
    .finally(() => {
      if (!stopped) loop();
    });
  void track(started);

  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(flushTimer);
      clearInterval(statsTimer);
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const wake of [...sleepers]) wake();
      // Let requests in flight finish (the server is still up), then abort stragglers.
      const settled = Promise.allSettled([...inFlight]);
      const grace = new Promise((resolve) => setTimeout(resolve, 3000).unref());
      await Promise.race([settled, grace]);
      abort.abort();
      log.info({ ...stats }, 'demo traffic stopped');
    },
  };
}
