import { hotWrites } from '/work/main/packages/batch/src/stages/commit.ts';
import { conversationOfMessage } from '/work/main/packages/batch/src/state/encoding.ts';
import { fieldsOf, snapshotOf } from '/work/main/packages/batch/src/state/snapshot.ts';
import { receiveOrder, resolve, type BatchItem } from '@thumbline/events';
import { ConversationMix } from '/work/main/scripts/bench/conversation-mix.ts';
import { Redis } from 'ioredis';
const redis = new Redis(Number(process.env.PORT ?? 6399));
await redis.flushall();
const conversations = Number(process.env.N ?? 20000);
const mix = new ConversationMix(conversations, 500);
const msgs = new Map<string,string>(), convs = new Map<string,string>();
let ms = Date.now(), events = 0;
for (let body = mix.nextBody(); body; body = mix.nextBody()) {
  const evs = JSON.parse(body).events;
  const items: BatchItem[] = evs.map((e: any, i: number) => ({ w: 'demo', r: receiveOrder(`${++ms}-0`, i), e }));
  events += items.length;
  const fields = fieldsOf(items);
  const m = new Map<string,string>(), c = new Map<string,string>();
  const asked = [...fields.conversations];
  for (const f of fields.messages) { const s = msgs.get(f); if (s) { m.set(f, s); asked.push(conversationOfMessage(s)); } }
  for (const f of asked) { const s = convs.get(f); if (s) c.set(f, s); }
  const read = snapshotOf(items, m, c);
  const { resolution, writes } = resolve(items, read.snapshot);
  const w = hotWrites({ items, read: { ...read, read: { generation: 0, version: '' } }, resolution, writes });
  for (const [text, into] of [[w.messages, msgs], [w.conversations, convs]] as const)
    for (const line of text.split('\n')) { if (!line) continue; const t = line.indexOf('\t'); into.set(line.slice(0, t), line.slice(t + 1)); }
}
const B = Number(process.env.B ?? 0);
if (B) { await redis.config('SET', 'hash-max-listpack-entries', process.env.LE ?? '256'); await redis.config('SET', 'hash-max-listpack-value', process.env.LV ?? '1024'); }
const h = (s: string) => { let x = 0; for (let i = 0; i < s.length; i++) x = (x * 31 + s.charCodeAt(i)) % 4294967296; return x; };
const mu = async (k: string) => Number(await redis.call('MEMORY', 'USAGE', k, 'SAMPLES', '0'));
let a = 0, b = 0;
for (const [key, map] of [['msgs', msgs], ['convs', convs]] as const) {
  const byKey = new Map<string, string[]>();
  for (const [f, v] of map) { const k = B ? `{tl:p1}:${key}:7:${h(f) % B}` : `{tl:p1}:${key}:7`; let l = byKey.get(k); if (!l) byKey.set(k, l = []); l.push(f, v); }
  let total = 0;
  for (const [k, entries] of byKey) { for (let i = 0; i < entries.length; i += 2000) await redis.hset(k, ...entries.slice(i, i + 2000)); total += await mu(k); }
  const info = await redis.info('memory');
  if (key === 'msgs') a = total; else b = total;
}
const avg = (m: Map<string,string>) => [...m].reduce((s,[f,v]) => s + f.length + v.length, 0) / m.size;
console.log(JSON.stringify({ events, msgs: msgs.size, convs: convs.size, msgBytesPerEvent: +(a/events).toFixed(1), convBytesPerEvent: +(b/events).toFixed(1), total: +((a+b)/events).toFixed(1), avgMsgFieldValue: avg(msgs).toFixed(0), avgConvFieldValue: avg(convs).toFixed(0), sampleConv: [...convs][5], sampleMsg: [...msgs][5] }, null, 1));
await redis.quit();
