// Baseline for ingest benchmarks: a bare Hono handler that reads the body and answers 202.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();
app.post('/v1/events', async (c) => {
  await c.req.text();
  return c.json({ accepted: 1, rejected: [] }, 202);
});
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' }, () => {
  process.stdout.write('bare hono ready\n');
});
