// Compares a bench run with the previous one in bench/results: which figures moved by more
// than 10 %, in which direction, with "better" known per figure (throughput up, latency down).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const LOWER_IS_BETTER = /_ms$|_mb$|^generate_s$|non2xx|_bytes_per_event/;
/** Counts and settings that describe the run rather than measure it. */
const NEUTRAL =
  /^(events|sustained_events)$|_measured$|_cores$|^memory_(events|default_window_events|hot_window_s|retries)$/;

/**
 * The newest results file in `dir` other than `except` that has any of `figures` (a run of
 * other sections has nothing to compare with), with its name.
 */
export function previousResults(
  dir: string,
  except: string,
  figures: Record<string, number>,
): { file: string; figures: Record<string, number> } | null {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json') && join(dir, f) !== except)
    .sort()
    .reverse();
  for (const file of files) {
    const before = (JSON.parse(readFileSync(join(dir, file), 'utf8')) as { figures?: Record<string, number> }).figures;
    if (before && Object.keys(figures).some((name) => name in before)) return { file, figures: before };
  }
  return null;
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
