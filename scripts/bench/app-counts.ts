// What a running `npm start` has counted, read through its own API: today's thumbs up in
// the overview (dashboard token) or the rows of `events` (analyst SQL, admin token).

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Thumbs up whose `ts` is today (UTC), as the overview counts them. */
export async function thumbsUpToday(url: string, dashboardToken: string): Promise<number> {
  const day = new Date().toISOString().slice(0, 10);
  const res = await fetch(`${url}/v1/analytics/overview?from=${day}&to=${day}&tz=UTC`, {
    headers: { authorization: `Bearer ${dashboardToken}` },
  });
  if (!res.ok) throw new Error(`overview answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { thumbs: { up: number } }).thumbs.up;
}

/** Rows of the workspace's `events` table in ClickHouse. */
export async function eventsStored(url: string, adminToken: string): Promise<number> {
  const res = await fetch(`${url}/v1/sql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query: 'SELECT count() AS n FROM events' }),
  });
  if (!res.ok) throw new Error(`/v1/sql answered ${res.status}: ${await res.text()}`);
  return Number(((await res.json()) as { rows: [string][] }).rows[0]?.[0] ?? 0);
}

/** Polls `count` until it reaches `target`; fails after `timeoutMs` saying how far it got. */
export async function waitForCount(
  count: () => Promise<number>,
  target: number,
  timeoutMs = 300_000,
  everyMs = 200,
): Promise<void> {
  const t0 = performance.now();
  for (;;) {
    const n = await count();
    if (n >= target) return;
    if (performance.now() - t0 > timeoutMs) {
      throw new Error(`only ${n} of ${target} counted after ${Math.round(timeoutMs / 1000)} s`);
    }
    await sleep(everyMs);
  }
}
