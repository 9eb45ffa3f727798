// What a bench phase cost the machine: CPU per process and, inside a process, per thread name
// (Node's threads are all "node" on Node 20, told apart as main / busiest other / others;
// chDB's threads carry ClickHouse's names), and peak RSS.
// Linux only: reads /proc.
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

const TICKS_PER_SECOND = 100;

/** utime + stime in seconds, and the thread name, from a /proc stat line. */
function parseStat(text: string): { name: string; seconds: number; ppid: number } {
  // The name is in parentheses and may contain spaces; the fields after it are fixed.
  const close = text.lastIndexOf(')');
  const name = text.slice(text.indexOf('(') + 1, close);
  const fields = text.slice(close + 2).split(' ');
  // After the name: state(0) ppid(1) ... utime(11) stime(12)
  return { name, ppid: Number(fields[1]), seconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND };
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** CPU seconds and name of each thread of a process, by thread id. */
export function threadTimes(pid: number): Map<number, { name: string; seconds: number }> {
  const out = new Map<number, { name: string; seconds: number }>();
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    const text = read(`/proc/${pid}/task/${tid}/stat`);
    if (!text) continue;
    const { name, seconds } = parseStat(text);
    out.set(Number(tid), { name, seconds });
  }
  return out;
}

/**
 * CPU seconds used between two `threadTimes` samples, by label: the main thread (thread id =
 * pid) is "<name> main"; threads that carry its name unchanged (on Node 20 a worker thread's OS
 * name is "node" like the main thread's, and so are V8's and libuv's helpers) give their busiest
 * one as "<name> busiest other" (npm start's HTTP thread under load) and the rest as
 * "<name> others"; named threads are summed by name (numbered pools are grouped by name already).
 */
export function usedByLabel(
  pid: number,
  before: Map<number, { name: string; seconds: number }>,
  now: Map<number, { name: string; seconds: number }>,
): Map<string, number> {
  const mainName = now.get(pid)?.name;
  const out = new Map<string, number>();
  const add = (label: string, s: number) => out.set(label, (out.get(label) ?? 0) + s);
  const unnamed: number[] = [];
  for (const [tid, { name, seconds }] of now) {
    const s = seconds - (before.get(tid)?.seconds ?? 0);
    if (tid === pid) add(`${name} main`, s);
    else if (name === mainName) unnamed.push(s);
    else add(name, s);
  }
  unnamed.sort((a, b) => b - a);
  if (unnamed.length > 0) add(`${mainName} busiest other`, unnamed[0] as number);
  if (unnamed.length > 1)
    add(
      `${mainName} others`,
      unnamed.slice(1).reduce((sum, s) => sum + s, 0),
    );
  return out;
}

/** The name of a process (its command, truncated by the kernel to 15 characters). */
export function processName(pid: number): string | null {
  const text = read(`/proc/${pid}/stat`);
  return text ? parseStat(text).name : null;
}

/** Pids whose parent is `pid` (direct children only). */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const text = read(`/proc/${entry}/stat`);
    if (text && parseStat(text).ppid === pid) out.push(Number(entry));
  }
  return out;
}

/** A snapshot of named processes' per-thread CPU; `since` gives what was used after it. */
export class CpuMeter {
  private readonly start: Map<string, Map<number, { name: string; seconds: number }>>;
  private readonly t0 = performance.now();

  constructor(private readonly processes: Record<string, number>) {
    this.start = this.sample();
  }

  private sample(): Map<string, Map<number, { name: string; seconds: number }>> {
    return new Map(Object.entries(this.processes).map(([label, pid]) => [label, threadTimes(pid)]));
  }

  /**
   * Cores used by each process since the snapshot (1.0 = one core busy the whole time),
   * and its busiest threads (labelled as in `usedByLabel`).
   */
  since(): { seconds: number; processes: Record<string, { cores: number; threads: Record<string, number> }> } {
    const seconds = (performance.now() - this.t0) / 1000;
    const now = this.sample();
    const processes: Record<string, { cores: number; threads: Record<string, number> }> = {};
    for (const [label, threads] of now) {
      const before = this.start.get(label) ?? new Map<number, { name: string; seconds: number }>();
      const used = [...usedByLabel(this.processes[label] as number, before, threads)];
      const total = used.reduce((sum, [, s]) => sum + s, 0);
      const top = used
        .filter(([, s]) => s / seconds >= 0.01)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 8)
        .map(([name, s]) => [name, round2(s / seconds)] as const);
      processes[label] = { cores: round2(total / seconds), threads: Object.fromEntries(top) };
    }
    return { seconds: round2(seconds), processes };
  }
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** Peak RSS (MB) of a process while `during` runs, sampled every 200 ms. */
export async function peakRss<T>(pid: number, during: Promise<T>): Promise<{ value: T; rssMb: number }> {
  let peak = 0;
  const sample = () => {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(read(`/proc/${pid}/status`) ?? '')?.[1] ?? 0);
    peak = Math.max(peak, kb);
  };
  const timer = setInterval(sample, 200);
  try {
    const value = await during;
    sample();
    return { value, rssMb: Math.round(peak / 1024) };
  } finally {
    clearInterval(timer);
  }
}

/**
 * How busy the machine is with everything else too: the 1-minute load average and the share
 * of the last 60 s in which some runnable task waited for a CPU (Linux PSI, null without it).
 */
export function machineLoad(): { loadavg_1m: number; cpu_pressure_some_avg60: number | null } {
  const psi = /some avg10=[\d.]+ avg60=([\d.]+)/.exec(read('/proc/pressure/cpu') ?? '')?.[1];
  return { loadavg_1m: round2(loadavg()[0] ?? 0), cpu_pressure_some_avg60: psi === undefined ? null : Number(psi) };
}
