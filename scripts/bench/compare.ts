// Compares a bench run with the previous one in bench/results: which figures moved by more
// than 10 %, in which direction, with "better" known per figure (throughput up, latency down).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const LOWER_IS_BETTER = /_ms$|_mb$|^generate_s$|non2xx/;
/** Counts that describe the run rather than measure it. */
const NEUTRAL = /^(events|sustained_events)$|_measured$|_cores$/;

export function previousResults(dir: string, except: string): Record<string, number> | null {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json') && join(dir, f) !== except)
    .sort();
  const last = files.at(-1);
  return last
    ? (JSON.parse(readFileSync(join(dir, last), 'utf8')) as { figures: Record<string, number> }).figures
    : null;
}

/** Lines describing changes beyond `threshold` (0.1 = 10 %); empty when none moved that much. */
export function regressions(before: Record<string, number>, after: Record<string, number>, threshold = 0.1): string[] {
  const out: string[] = [];
  for (const [name, now] of Object.entries(after)) {
    const then = before[name];
    if (NEUTRAL.test(name) || then === undefined || then === 0 || !Number.isFinite(now)) continue;
    const change = (now - then) / then;
    if (Math.abs(change) <= threshold) continue;
    const worse = LOWER_IS_BETTER.test(name) ? change > 0 : change < 0;
    out.push(
      `${worse ? 'worse ' : 'better'} ${name}: ${then} → ${now} (${change > 0 ? '+' : ''}${Math.round(change * 100)} %)`,
    );
  }
  return out;
}
