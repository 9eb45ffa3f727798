// Settings: CSAT toggle per widget (enforced by ingest), per-locale prompt copy with
// built-in English, and the public widget config with locale fallback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '@thumbline/api';
import { createIngestApp } from '@thumbline/ingest';
import { DEFAULT_AUTO_END_COPY } from '@thumbline/events';
import { newToken } from '@thumbline/redis';
import { openTestEnv, type TestEnv } from './support/harness.ts';
import { csat, thumb } from './support/events.ts';

let env: TestEnv;
let api: ReturnType<typeof createApiApp>;
let ingest: ReturnType<typeof createIngestApp>;
const dt = newToken('dashboard');
const pk = newToken('public');

beforeAll(async () => {
  env = await openTestEnv('settings');
  await env.store.saveWorkspace({ id: 'w', tz: 'UTC', allowed_origins: ['https://shop.example'] });
  await env.store.addToken(dt, { workspace_id: 'w', kind: 'dashboard' });
  await env.store.addToken(pk, { workspace_id: 'w', kind: 'public' });
  api = createApiApp(env);
  ingest = createIngestApp({ ...env, maxEventAgeDays: 30 });
});
afterAll(() => env.cleanup());

function call(method: string, path: string, body?: unknown, token = dt) {
  return api.request(path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function send(event: object) {
  const res = await ingest.request('/v1/events', {
    method: 'POST',
    headers: { authorization: `Bearer ${pk}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events: [event] }),
  });
  return { status: res.status, body: (await res.json()) as { accepted: number; rejected: { code: string }[] } };
}

const copy = (title: string) => ({
  title,
  negative_reason: 'Was ist schiefgelaufen?',
  negative_placeholder: 'Erzählen Sie uns mehr',
  negative_button: 'Senden',
  after_submission: 'Danke!',
});

describe('widget CSAT toggle', () => {
  it('is on by default, can be switched off and on, and ingest enforces it', async () => {
    expect(await (await call('GET', '/v1/settings/widgets/bubble')).json()).toEqual({
      widget_id: 'bubble',
      csat_enabled: true,
    });
    const now = Date.now();
    expect((await send(csat('c1', { thumb: 'up' }, now, { widget_id: 'bubble' }))).body.accepted).toBe(1);

    const off = await call('PUT', '/v1/settings/widgets/bubble', { csat_enabled: false });
    expect(await off.json()).toEqual({ widget_id: 'bubble', csat_enabled: false });
    expect(await (await call('GET', '/v1/settings/widgets/bubble')).json()).toMatchObject({ csat_enabled: false });

    const refused = await send(csat('c1', { thumb: 'down' }, now, { widget_id: 'bubble' }));
    expect(refused.status).toBe(400);
    expect(refused.body.rejected[0]?.code).toBe('csat_disabled');
    // Thumbs of that widget, and CSAT of other widgets or without a widget, still pass.
    expect((await send(thumb('c1', 'm1', 'up', now, { widget_id: 'bubble' }))).body.accepted).toBe(1);
    expect((await send(csat('c2', { score: 2 }, now, { widget_id: 'other' }))).body.accepted).toBe(1);
    expect((await send(csat('c3', { score: 2 }, now))).body.accepted).toBe(1);

    await call('PUT', '/v1/settings/widgets/bubble', { csat_enabled: true });
    expect((await send(csat('c1', { thumb: 'down' }, now, { widget_id: 'bubble' }))).body.accepted).toBe(1);
  });

  it('validates the body and needs a dashboard token', async () => {
    const bad = await call('PUT', '/v1/settings/widgets/bubble', { csat_enabled: 'no' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_body');
    expect((await call('GET', '/v1/settings/widgets/bubble', undefined, pk)).status).toBe(401);
    const put = (body: string, type: string) =>
      api.request('/v1/settings/widgets/bubble', {
        method: 'PUT',
        headers: { authorization: `Bearer ${dt}`, 'content-type': type },
        body,
      });
    const broken = await put('{"csat_enabled": tru', 'application/json');
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: { code: string } }).error.code).toBe('invalid_json');
    const text = await put('{"csat_enabled": true}', 'text/plain');
    expect(text.status).toBe(415);
    expect(((await text.json()) as { error: { code: string } }).error.code).toBe('unsupported_media_type');
  });
});

describe('auto-end copy per locale', () => {
  it('serves built-in English until saved, then the saved copy', async () => {
    expect(await (await call('GET', '/v1/settings/languages/fr/auto-end')).json()).toEqual({
      ...DEFAULT_AUTO_END_COPY,
      locale: 'fr',
    });
    const saved = await call('PUT', '/v1/settings/languages/de/auto-end', copy('Wie war das Gespräch?'));
    expect(saved.status).toBe(200);
    expect(await (await call('GET', '/v1/settings/languages/de/auto-end')).json()).toEqual({
      locale: 'de',
      ...copy('Wie war das Gespräch?'),
    });
  });

  it('canonicalises locales and refuses what is not one', async () => {
    await call('PUT', '/v1/settings/languages/de-at/auto-end', copy('Servus!'));
    expect(await (await call('GET', '/v1/settings/languages/de-AT/auto-end')).json()).toMatchObject({
      locale: 'de-AT',
      title: 'Servus!',
    });
    const bad = await call('GET', '/v1/settings/languages/not_a_locale!/auto-end');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_locale');
    const empty = await call('PUT', '/v1/settings/languages/de/auto-end', { ...copy('x'), title: '  ' });
    expect(empty.status).toBe(400);
  });
});

describe('GET /v1/widgets/{widget_id}/config', () => {
  const config = (path: string, headers: Record<string, string> = { authorization: `Bearer ${pk}` }) =>
    api.request(path, { headers });

  it('falls back from the exact locale to its language to en', async () => {
    const exact = await (await config('/v1/widgets/bubble/config?locale=de-AT')).json();
    expect(exact).toMatchObject({
      widget_id: 'bubble',
      csat_enabled: true,
      auto_end: { locale: 'de-AT', title: 'Servus!' },
    });
    const language = await (await config('/v1/widgets/bubble/config?locale=de-DE')).json();
    expect(language).toMatchObject({ auto_end: { locale: 'de', title: 'Wie war das Gespräch?' } });
    const english = await (await config('/v1/widgets/bubble/config?locale=ja-JP')).json();
    expect(english).toMatchObject({ auto_end: DEFAULT_AUTO_END_COPY });
    await call('PUT', '/v1/settings/languages/en/auto-end', { ...copy('How did we do?') });
    const custom = await (await config('/v1/widgets/bubble/config?locale=ja-JP')).json();
    expect(custom).toMatchObject({ auto_end: { locale: 'en', title: 'How did we do?' } });
  });

  it('reports the CSAT toggle', async () => {
    await call('PUT', '/v1/settings/widgets/quiet', { csat_enabled: false });
    expect(await (await config('/v1/widgets/quiet/config')).json()).toMatchObject({ csat_enabled: false });
  });

  it('takes ?key=, checks the origin, and lets the page read the answer', async () => {
    const ok = await config(`/v1/widgets/bubble/config?key=${pk}`, { origin: 'https://shop.example' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    const evil = await config(`/v1/widgets/bubble/config?key=${pk}`, { origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
    expect((await config('/v1/widgets/bubble/config', {})).status).toBe(401);
    expect((await config('/v1/widgets/bubble/config', { authorization: `Bearer ${dt}` })).status).toBe(401);
  });
});
