import { readFileSync, readdirSync } from 'node:fs';
const dir = process.argv[2]!;
for (const f of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
  const p = JSON.parse(readFileSync(`${dir}/${f}`, 'utf8'));
  const byId = new Map<number, any>(p.nodes.map((n: any) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  const dts = p.timeDeltas as number[];
  p.samples.forEach((s: number, i: number) => self.set(s, (self.get(s) ?? 0) + (dts[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const key = (n: any) => `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber}`;
  const selfBy = new Map<string, number>();
  const inclBy = new Map<string, number>();
  for (const [id, t] of self) {
    const n = byId.get(id);
    selfBy.set(key(n), (selfBy.get(key(n)) ?? 0) + t);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = key(byId.get(cur));
      if (seen.has(k)) continue; seen.add(k);
      inclBy.set(k, (inclBy.get(k) ?? 0) + t);
    }
  }
  const idle = selfBy.get('(idle) :-1') ?? 0;
  console.log(`== ${f}: ${(total / 1e6).toFixed(1)} s sampled, idle ${(idle / 1e6).toFixed(1)} s`);
  const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `  ${(v / 1e6).toFixed(2).padStart(6)} s  ${k}`).join('\n');
  console.log('self:\n' + top(selfBy, Number(process.env.TOP ?? 25)));
  const pat = new RegExp(process.env.INCL ?? 'batch/src|clickhouse/src|redis/src');
  console.log('inclusive (matching):\n' + top(new Map([...inclBy].filter(([k]) => pat.test(k))), Number(process.env.TOPI ?? 40)));
}
