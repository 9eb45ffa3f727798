// Alerts end to end (CONTRACT §10): rules over the API, evaluation after counted feedback
// (the real worker pipeline), webhook deliveries to a real HTTP receiver on loopback.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '@thumbline/api';
import { createIngestApp } from '@thumbline/ingest';
import {
  AlertStateStore,
  alertPayload,
  BUCKET_MS,
  createAlertsWorker,
  deliveryBacklog,
  evaluateWorkspace,
  MAX_RULES_PER_WORKSPACE,
  RuleStore,
  trailingWindow,
  verifySignature,
  WebhookQueue,
  DeliveryLog,
  type AlertsWorker,
} from '@thumbline/alerts';
import { writeChanges } from '@thumbline/clickhouse';
import type { AlertRule, Delivery } from '@thumbline/events';
import { createKeys, newToken, type Keys } from '@thumbline/redis';
import type { WorkerRole } from '@thumbline/worker';
import { eventually, openTestEnv, type TestEnv } from './support/harness.ts';
import { thumb } from './support/events.ts';
import { startTestWorker } from './support/pipeline.ts';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.ts';

let env: TestEnv;
let api: ReturnType<typeof createApiApp>;
let strictApi: ReturnType<typeof createApiApp>;
let ingest: ReturnType<typeof createIngestApp>;
let worker: WorkerRole;
let hooks: WebhookReceiver;
const dt = newToken('dashboard');
const sk = newToken('secret');
const WS = 'w';

beforeAll(async () => {
  env = await openTestEnv('alerts');
  await env.store.saveWorkspace({ id: WS, tz: 'UTC', allowed_origins: [] });
  await env.store.addToken(dt, { workspace_id: WS, kind: 'dashboard' });
  await env.store.addToken(sk, { workspace_id: WS, kind: 'secret' });
  api = createApiApp({ ...env, webhooks: { allowPrivate: true } });
  strictApi = createApiApp({ ...env, webhooks: { allowPrivate: false } });
  ingest = createIngestApp({ ...env, maxEventAgeDays: 30 });
  hooks = await startWebhookReceiver();
  worker = startTestWorker(env, {
    // Retries 200 ms apart in tests; the production schedule is proven ≥ 24 h in retry-schedule.test.ts.
    // Sweeps a minute apart: what fires here within seconds was evaluated by the batch hook.
    alerts: {
      allowPrivate: true,
      sweepMs: 60_000,
      timeoutMs: 2000,
      schedule: { baseMs: 200, maxMs: 400, horizonMs: 2000 },
    },
  });
});
afterAll(async () => {
  await worker?.close();
  await hooks?.close();
  await env.cleanup();
});

function call(path: string, method = 'GET', body?: unknown, app = api) {
  return app.request(path, {
    method,
    headers: { authorization: `Bearer ${dt}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function send(events: object[], key = sk) {
  const res = await ingest.request('/v1/events', {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  expect(res.status).toBe(202);
}

/** A workspace of its own (its windows hold only its test's feedback), with its API and ingest calls. */
async function workspace(id: string) {
  const dash = newToken('dashboard');
  const secret = newToken('secret');
  await env.store.saveWorkspace({ id, tz: 'UTC', allowed_origins: [] });
  await env.store.addToken(dash, { workspace_id: id, kind: 'dashboard' });
  await env.store.addToken(secret, { workspace_id: id, kind: 'secret' });
  const call = (path: string, method = 'GET', body?: unknown) =>
    api.request(path, {
      method,
      headers: { authorization: `Bearer ${dash}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  return {
    call,
    send: (events: object[]) => send(events, secret),
    async createRule(body: object): Promise<AlertRule> {
      const res = await call('/v1/alerts/rules', 'POST', body);
      expect(res.status).toBe(201);
      return (await res.json()) as AlertRule;
    },
    states: () => new AlertStateStore(env.redis, env.keys).all(id),
  };
}

const rule = (over: Record<string, unknown> = {}) => ({
  name: 'Too many thumbs down',
  metric: 'thumbs_down_pct',
  window_minutes: 15,
  condition: { type: 'above', value: 50 },
  min_samples: 4,
  webhook: { url: `${hooks.url}/hook`, secret: 's3cret' },
  ...over,
});

async function createRule(body: object): Promise<AlertRule> {
  const res = await call('/v1/alerts/rules', 'POST', body);
  expect(res.status).toBe(201);
  return (await res.json()) as AlertRule;
}

const hooksOf = (ruleId: string) => hooks.received.filter((h) => h.body.rule_id === ruleId);
const states = () => new AlertStateStore(env.redis, env.keys).all(WS);
const thumbs = (n: number, value: 'up' | 'down', ts: number) =>
  Array.from({ length: n }, () => thumb(`c-${randomUUID()}`, `m-${randomUUID()}`, value, ts));
const downs = (n: number, ts: number) => thumbs(n, 'down', ts);
const ups = (n: number, ts: number) => thumbs(n, 'up', ts);

describe('rules API', () => {
  it('creates, lists (never the secret) and deletes rules', async () => {
    const created = await createRule(rule({ name: 'crud' }));
    expect(created).toMatchObject({
      name: 'crud',
      metric: 'thumbs_down_pct',
      segment: {},
      window_minutes: 15,
      min_samples: 4,
      status: 'ok',
      webhook: { url: `${hooks.url}/hook`, format: 'json', has_secret: true },
    });
    expect(JSON.stringify(created)).not.toContain('s3cret');
    const list = (await (await call('/v1/alerts/rules')).json()) as { items: AlertRule[] };
    expect(list.items.map((r) => r.id)).toContain(created.id);
    expect(JSON.stringify(list)).not.toContain('s3cret');
    expect((await call(`/v1/alerts/rules/${created.id}`, 'DELETE')).status).toBe(204);
    expect((await call(`/v1/alerts/rules/${created.id}`, 'DELETE')).status).toBe(404);
    expect(
      ((await (await call('/v1/alerts/rules')).json()) as { items: AlertRule[] }).items.map((r) => r.id),
    ).not.toContain(created.id);
  });

  it.each([
    ['a window that is not a multiple of 15', { window_minutes: 20 }, 'invalid_rule'],
    ['a window over a day', { window_minutes: 1455 }, 'invalid_rule'],
    ['an unknown metric', { metric: 'nps' }, 'invalid_rule'],
    [
      'a CSAT threshold outside 1–5',
      { metric: 'csat_average', condition: { type: 'below', value: 7 } },
      'invalid_rule',
    ],
    ['a drop condition on CSAT', { metric: 'csat_average', condition: { type: 'drop' } }, 'invalid_rule'],
    ['a bad locale', { segment: { locale: 'not a locale!' } }, 'invalid_rule'],
    ['no webhook', { webhook: undefined }, 'invalid_rule'],
    ['an ftp webhook', { webhook: { url: 'ftp://example.com/x' } }, 'invalid_webhook_url'],
    ['a webhook that is no URL', { webhook: { url: 'hook' } }, 'invalid_webhook_url'],
  ])('refuses %s', async (_, over, code) => {
    const res = await call('/v1/alerts/rules', 'POST', rule(over));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
  });

  it('refuses loopback and private webhooks unless THUMBLINE_WEBHOOK_ALLOW_PRIVATE', async () => {
    for (const url of [
      'http://127.0.0.1:9/x',
      'http://localhost:9/x',
      'http://[::ffff:10.0.0.1]/x',
      'http://169.254.169.254/',
    ]) {
      const res = await call('/v1/alerts/rules', 'POST', rule({ webhook: { url } }), strictApi);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_webhook_url');
    }
    expect(
      (await call('/v1/alerts/rules', 'POST', rule({ name: 'loopback ok', webhook: { url: 'http://localhost:9/x' } })))
        .status,
    ).toBe(201);
  });

  it('answers 409 too_many_rules past the cap, in another workspace than the pipeline tests', async () => {
    const store = new RuleStore(env.redis, env.keys);
    const body = {
      ...rule(),
      segment: {},
      min_samples: 4,
      webhook: { url: 'http://localhost:9/x', format: 'json' as const },
    };
    for (let i = 0; i < MAX_RULES_PER_WORKSPACE; i++) await store.create('full', body as never);
    const fullDt = newToken('dashboard');
    await env.store.saveWorkspace({ id: 'full', tz: 'UTC', allowed_origins: [] });
    await env.store.addToken(fullDt, { workspace_id: 'full', kind: 'dashboard' });
    const res = await api.request('/v1/alerts/rules', {
      method: 'POST',
      headers: { authorization: `Bearer ${fullDt}`, 'content-type': 'application/json' },
      body: JSON.stringify(rule()),
    });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('too_many_rules');
    // Clean up: the sweep would otherwise evaluate 100 rules every second.
    for (const r of await store.list('full')) await store.delete('full', r.id);
  });

  it('is in the OpenAPI document', () => {
    const doc = api.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 't', version: '1' } });
    expect(Object.keys(doc.paths ?? {})).toEqual(
      expect.arrayContaining([
        '/v1/alerts/rules',
        '/v1/alerts/rules/{id}',
        '/v1/alerts/rules/{id}/test',
        '/v1/alerts/deliveries',
      ]),
    );
  });

  it('needs a dashboard token', async () => {
    const res = await api.request('/v1/alerts/rules', { headers: { authorization: `Bearer ${sk}` } });
    expect(res.status).toBe(401);
  });
});

describe('firing and resolving after counted feedback', () => {
  it('respects min_samples, fires within 10 s with a signed body, resolves when the rate falls', async () => {
    const w = await workspace('pipeline');
    const r = await w.createRule(rule({ name: 'pipeline' }));
    const now = Date.now();
    await w.send(downs(3, now));
    // Evaluated (3 samples seen) but not firing: fewer than min_samples.
    await eventually(w.states, (s) => s.get(r.id)?.samples === 3);
    expect((await w.states()).get(r.id)?.status).toBe('ok');
    expect(hooksOf(r.id)).toHaveLength(0);

    const sent = Date.now();
    await w.send(downs(1, sent));
    const [firing] = await eventually(
      async () => hooksOf(r.id),
      (h) => h.length >= 1,
      10_000,
    );
    expect(firing!.at - sent).toBeLessThan(10_000);
    expect(firing!.body).toMatchObject({
      type: 'alert.firing',
      rule_id: r.id,
      rule_name: 'pipeline',
      workspace_id: 'pipeline',
      metric: 'thumbs_down_pct',
      value: 100,
      samples: 4,
      condition: { type: 'above', value: 50 },
      segment: {},
    });
    expect(firing!.headers['x-thumbline-event-id']).toBe(firing!.body.id);
    expect(verifySignature('s3cret', firing!.raw, firing!.headers['x-thumbline-signature'] as string)).toBe(true);
    expect(verifySignature('wrong', firing!.raw, firing!.headers['x-thumbline-signature'] as string)).toBe(false);
    const window = firing!.body.window as { from: string; to: string };
    expect(Date.parse(window.to) - Date.parse(window.from)).toBe(BUCKET_MS);

    const resolvedSent = Date.now();
    await w.send(ups(8, resolvedSent)); // 4 of 12 = 33 % once all are counted
    const all = await eventually(
      async () => hooksOf(r.id),
      (h) => h.length >= 2,
      10_000,
    );
    const resolved = all[1]!;
    expect(resolved.at - resolvedSent).toBeLessThan(10_000);
    // Resolved by the first batch that brought the rate to 50 % or less (the ups may be counted in several).
    expect(resolved.body).toMatchObject({ type: 'alert.resolved', rule_id: r.id });
    expect(resolved.body.value as number).toBeLessThanOrEqual(50);
    expect(resolved.body.samples as number).toBeGreaterThanOrEqual(8);
    expect(resolved.body.id).not.toBe(firing!.body.id);
    // Every up counted and evaluated: still resolved, nothing more sent.
    await eventually(w.states, (st) => st.get(r.id)?.samples === 12);
    expect((await w.states()).get(r.id)).toMatchObject({ status: 'ok', value: 33.33 });
    expect(hooksOf(r.id)).toHaveLength(2);
  });

  it('retries a delivery the receiver answered 500 to, with the same event id, and logs the attempts', async () => {
    const w = await workspace('retry');
    const r = await w.createRule(rule({ name: 'retry', webhook: { url: `${hooks.url}/retry` } }));
    hooks.answers.push(500);
    await w.send(downs(4, Date.now()));
    const got = await eventually(
      async () => hooksOf(r.id),
      (h) => h.length >= 2,
      10_000,
    );
    expect(got[0]!.body.type).toBe('alert.firing');
    expect(got[1]!.headers['x-thumbline-event-id']).toBe(got[0]!.headers['x-thumbline-event-id']);
    expect(got[1]!.raw).toBe(got[0]!.raw);
    expect(got[1]!.headers['x-thumbline-signature']).toBeUndefined(); // no secret on this rule
    const log = await eventually(
      async () =>
        ((await (await w.call(`/v1/alerts/deliveries?rule_id=${r.id}`)).json()) as { items: Delivery[] }).items,
      (items) => items[0]?.status === 'delivered',
    );
    expect(log).toHaveLength(1);
    expect(log[0]!.id).toBe(got[0]!.body.id);
    expect(log[0]!.attempts.map((a) => [a.attempt, a.ok, a.code])).toEqual([
      [1, false, 500],
      [2, true, 200],
    ]);
  });

  it('sends a test through the same path and lists it', async () => {
    const r = await createRule(
      rule({ name: 'test send', webhook: { url: `${hooks.url}/test`, secret: 'k', format: 'slack' } }),
    );
    const res = await call(`/v1/alerts/rules/${r.id}/test`, 'POST');
    expect(res.status).toBe(202);
    const queued = (await res.json()) as Delivery;
    expect(queued).toMatchObject({ type: 'alert.test', rule_id: r.id, status: 'pending' });
    const [got] = await eventually(
      async () => hooks.received.filter((h) => h.headers['x-thumbline-event-id'] === queued.id),
      (h) => h.length === 1,
    );
    expect(typeof got!.body.text).toBe('string');
    expect(Array.isArray(got!.body.blocks)).toBe(true);
    expect(verifySignature('k', got!.raw, got!.headers['x-thumbline-signature'] as string)).toBe(true);
    await eventually(
      async () => ((await (await call('/v1/alerts/deliveries')).json()) as { items: Delivery[] }).items,
      (items) => items.some((d) => d.id === queued.id && d.status === 'delivered'),
    );
    expect((await call('/v1/alerts/rules/rule_nope/test', 'POST')).status).toBe(404);
    await call(`/v1/alerts/rules/${r.id}`, 'DELETE');
  });
});

describe('evaluation over sliding windows', () => {
  // Rows straight into feedback_changes (no batch, so no hook): only the sweep or a direct evaluation sees them.
  const change = (ws: string, at: number, down: number, up: number) => ({
    workspace_id: ws,
    bucket: Math.floor(at / BUCKET_MS) * (BUCKET_MS / 1000),
    conversation_id: `c-${randomUUID()}`,
    message_id: 'm',
    event_id: randomUUID(),
    widget_id: '',
    locale: '',
    thumbs_up: up,
    thumbs_down: down,
    csat_sum: 0,
    csat_count: 0,
    prompted: 0,
    responded: 0,
  });

  /** What a direct evaluation needs, on the test env (webhooks closed by the caller). */
  const evaluation = () => {
    const rules = new RuleStore(env.redis, env.keys);
    const log = new DeliveryLog(env.redis, env.keys);
    const webhooks = new WebhookQueue(env.connect(), env.keys, log);
    const deps = {
      redis: env.redis,
      keys: env.keys,
      ch: env.ch,
      rules,
      states: new AlertStateStore(env.redis, env.keys),
      webhooks,
    };
    return { rules, log, webhooks, deps };
  };

  it('the sweep evaluates a workspace no batch touched', async () => {
    // Its own key prefix and alerts worker, sweeping every 500 ms (the pipeline's sweeps a minute apart).
    const keys = createKeys(`${env.keys.prefix}sw`);
    const sweeper = createAlertsWorker(
      { connect: env.connect, redis: env.redis, keys, ch: env.ch, log: env.log },
      { allowPrivate: true, sweepMs: 500 },
    );
    await sweeper.start();
    const ws = 'swept';
    const r = await new RuleStore(env.redis, keys).create(ws, {
      ...rule(),
      segment: {},
      min_samples: 4,
      condition: { type: 'above', value: 50 },
      webhook: { url: `${hooks.url}/swept`, format: 'json' },
    } as never);
    await writeChanges(env.ch, randomUUID(), [
      change(ws, Date.now(), 1, 0),
      change(ws, Date.now(), 1, 0),
      change(ws, Date.now(), 1, 0),
      change(ws, Date.now(), 1, 0),
    ]);
    await eventually(
      async () => hooksOf(r.id),
      (h) => h.length === 1 && h[0]!.body.type === 'alert.firing',
      10_000,
    );
    await new RuleStore(env.redis, keys).delete(ws, r.id);
    await sweeper.close();
  });

  it('resolves once the window slides past the feedback that fired it', async () => {
    const ws = 'sliding';
    const { rules, log, webhooks, deps } = evaluation();
    const r = await rules.create(ws, {
      ...rule(),
      segment: {},
      window_minutes: 30,
      min_samples: 4,
      condition: { type: 'above', value: 50 },
      webhook: { url: `${hooks.url}/sliding`, format: 'json' },
    } as never);
    const t0 = Date.now();
    await writeChanges(env.ch, randomUUID(), [change(ws, t0, 5, 0)]);
    const fired = await evaluateWorkspace(deps, ws, t0);
    expect(fired).toMatchObject([{ ruleId: r.id, type: 'alert.firing' }]);
    // Repeating the evaluation changes nothing.
    expect(await evaluateWorkspace(deps, ws, t0)).toEqual([]);
    // 15 minutes on, the bucket is still in the 30-minute window; 30 minutes on it is not.
    expect(await evaluateWorkspace(deps, ws, t0 + BUCKET_MS)).toEqual([]);
    const resolved = await evaluateWorkspace(deps, ws, t0 + 2 * BUCKET_MS);
    expect(resolved).toMatchObject([{ ruleId: r.id, type: 'alert.resolved' }]);
    const ids = (resolved as { eventId: string }[])
      .map((t) => t.eventId)
      .concat((fired as { eventId: string }[]).map((t) => t.eventId));
    const delivered = await eventually(
      async () => (await log.list(ws, { limit: 10 })).filter((d) => d.status === 'delivered'),
      (d) => d.length === 2,
    );
    expect(delivered.map((d) => d.id).sort()).toEqual(ids.sort());
    await rules.delete(ws, r.id);
    await webhooks.close();
  });

  it('segment isolation: a rule on widget A / language de fires on its own feedback only', async () => {
    const ws = 'segmented';
    const { rules, webhooks, deps } = evaluation();
    const r = await rules.create(ws, {
      ...rule(),
      segment: { widget_id: 'A', locale: 'de' },
      window_minutes: 30,
      min_samples: 4,
      condition: { type: 'above', value: 50 },
      webhook: { url: `${hooks.url}/segmented`, format: 'json' },
    } as never);
    const t0 = Date.now();
    const at = (widget_id: string, locale: string, down: number, up: number) => ({
      ...change(ws, t0, down, up),
      widget_id,
      locale,
    });
    // Thumbs-down everywhere but in the rule's segment: widget B in German, widget A in English.
    await writeChanges(env.ch, randomUUID(), [at('B', 'de-de', 9, 0), at('A', 'en-us', 9, 0), at('A', 'de-at', 0, 5)]);
    expect(await evaluateWorkspace(deps, ws, t0)).toEqual([]);
    // In its segment (de-AT and de-DE are both German): 5 down, 5 up = 50 %, not above 50.
    await writeChanges(env.ch, randomUUID(), [at('A', 'de-de', 5, 0)]);
    expect(await evaluateWorkspace(deps, ws, t0)).toEqual([]);
    await writeChanges(env.ch, randomUUID(), [at('A', 'de', 1, 0)]);
    expect(await evaluateWorkspace(deps, ws, t0)).toMatchObject([{ ruleId: r.id, type: 'alert.firing' }]);
    await rules.delete(ws, r.id);
    await webhooks.close();
  });
});

describe('one workspace cannot delay another workspace\'s deliveries', () => {
  // Its own key prefix and alerts worker, with the production timeout (5 s) and retry schedule,
  // so A's hanging backlog never slows the other tests' deliveries.
  let keys: Keys;
  let fairWorker: AlertsWorker;
  let fairApi: ReturnType<typeof createApiApp>;
  let producer: WebhookQueue;
  /** The documented bound of queued deliveries per workspace (docs/alerts.md). */
  const BOUND = 1000;

  beforeAll(async () => {
    keys = createKeys(`${env.keys.prefix}fair`);
    fairWorker = createAlertsWorker(
      { connect: env.connect, redis: env.redis, keys, ch: env.ch, log: env.log },
      { allowPrivate: true, sweepMs: 60_000 },
    );
    await fairWorker.start();
    fairApi = createApiApp({ ...env, keys, webhooks: { allowPrivate: true } });
    producer = new WebhookQueue(env.connect(), keys, new DeliveryLog(env.redis, keys));
  });
  afterAll(async () => {
    await producer?.close();
    await fairWorker?.close();
  });

  async function tenant(id: string) {
    const dash = newToken('dashboard');
    await env.store.saveWorkspace({ id, tz: 'UTC', allowed_origins: [] });
    await env.store.addToken(dash, { workspace_id: id, kind: 'dashboard' });
    const call = (path: string, method = 'GET', body?: unknown) =>
      fairApi.request(path, {
        method,
        headers: { authorization: `Bearer ${dash}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const res = await call('/v1/alerts/rules', 'POST', rule({ name: id, webhook: { url: `${hooks.url}/${id}` } }));
    expect(res.status).toBe(201);
    const created = (await res.json()) as AlertRule;
    return { call, rule: created, test: () => call(`/v1/alerts/rules/${created.id}/test`, 'POST') };
  }

  /** A delivery of `ws`'s rule queued the way an evaluation queues a transition. */
  async function queueFor(ws: string, ruleId: string) {
    const stored = await new RuleStore(env.redis, keys).get(ws, ruleId);
    const now = Date.now();
    const evaluation = { holds: false, value: null, samples: 0, window: trailingWindow(15, now) };
    return producer.enqueue(ws, stored!, alertPayload('alert.firing', randomUUID(), stored!, ws, evaluation, now), now);
  }

  it("B's one test send is attempted within 10 s while A's 1000 deliveries hang at a slow receiver", async () => {
    const a = await tenant('hang-a');
    for (let i = 0; i < BOUND; i++) await queueFor('hang-a', a.rule.id);
    // Every delivery slot is now held by one of A's attempts, each waiting out its 5 s timeout.
    await eventually(
      async () => hooksOf(a.rule.id).length,
      (n) => n >= 8,
    );
    const b = await tenant('fair-b');
    const sent = Date.now();
    const res = await b.test();
    expect(res.status).toBe(202);
    const queued = (await res.json()) as Delivery;
    const [got] = await eventually(
      async () => hooks.received.filter((h) => h.headers['x-thumbline-event-id'] === queued.id),
      (h) => h.length === 1,
      10_000,
    );
    expect(got!.at - sent).toBeLessThan(10_000);
    // Counted exactly: B's place is given back once delivered; A keeps all of its places while retrying.
    const backlog = deliveryBacklog(env.redis, keys);
    await eventually(
      () => backlog.count('fair-b'),
      (n) => n === 0,
    );
    expect(await backlog.count('hang-a')).toBe(BOUND);
  });

  it('refuses deliveries past the bound with 429 rate_limited and Retry-After', async () => {
    const a = await tenant('hang-full');
    for (let i = 0; i < BOUND; i++) await queueFor('hang-full', a.rule.id);
    const res = await a.test();
    expect(res.status).toBe(429);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    await expect(queueFor('hang-full', a.rule.id)).rejects.toMatchObject({ code: 'rate_limited', status: 429 });

    // A transition the full queue refuses still happens, and its log says it was never sent.
    const now = Date.now();
    await writeChanges(
      env.ch,
      randomUUID(),
      Array.from({ length: 4 }, () => ({
        workspace_id: 'hang-full',
        bucket: Math.floor(now / BUCKET_MS) * (BUCKET_MS / 1000),
        conversation_id: `c-${randomUUID()}`,
        message_id: 'm',
        event_id: randomUUID(),
        widget_id: '',
        locale: '',
        thumbs_up: 0,
        thumbs_down: 1,
        csat_sum: 0,
        csat_count: 0,
        prompted: 0,
        responded: 0,
      })),
    );
    const deps = {
      redis: env.redis,
      keys,
      ch: env.ch,
      rules: new RuleStore(env.redis, keys),
      states: new AlertStateStore(env.redis, keys),
      webhooks: producer,
    };
    const [fired] = (await evaluateWorkspace(deps, 'hang-full', now)) as { eventId: string; type: string }[];
    expect(fired).toMatchObject({ type: 'alert.firing' });
    const logged = await new DeliveryLog(env.redis, keys).get('hang-full', fired!.eventId);
    expect(logged).toMatchObject({ type: 'alert.firing', status: 'failed', attempts: [] });
    expect(await deliveryBacklog(env.redis, keys).count('hang-full')).toBe(BOUND);
  });

  it('limits test sends per workspace: the 11th within a minute is 429 with Retry-After; others still send', async () => {
    const c = await tenant('tests-c');
    for (let i = 0; i < 10; i++) expect((await c.test()).status).toBe(202);
    const refused = await c.test();
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    const after = Number(refused.headers.get('retry-after'));
    expect(after).toBeGreaterThan(0);
    expect(after).toBeLessThanOrEqual(60);
    const d = await tenant('tests-d');
    expect((await d.test()).status).toBe(202);
  });
});
