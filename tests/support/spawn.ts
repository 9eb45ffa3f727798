// Starting Thumbline processes for tests, the way users do.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => ok(p));
    });
  });
}

export interface Spawned {
  proc: ChildProcess;
  output(): string;
  /** Resolves when the output contains `text`, rejects if the process exits first. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  exited(): Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Runs a TypeScript entry point under tsx with extra env. */
export function spawnEntry(entry: string, env: Record<string, string>): Spawned {
  return spawnArgs(entry, [], env);
}

/** Runs a TypeScript entry point under tsx with arguments and extra env. */
export function spawnArgs(entry: string, args: string[], env: Record<string, string> = {}): Spawned {
  return spawnNode(['--import', 'tsx', entry, ...args], env);
}

/** Runs node with these arguments (flags, entry point, its arguments) and extra env. */
export function spawnNode(nodeArgs: string[], env: Record<string, string> = {}): Spawned {
  const proc = spawn(process.execPath, nodeArgs, {
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((ok) => proc.once('exit', (code) => ok(code)));
  return {
    proc,
    output: () => out,
    exited: () => exit,
    waitFor(text, timeoutMs = 30_000) {
      return new Promise((ok, fail) => {
        const timer = setTimeout(() => fail(new Error(`timed out waiting for "${text}":\n${out}`)), timeoutMs);
        const check = () => {
          if (out.includes(text)) {
            clearTimeout(timer);
            ok();
          } else if (proc.exitCode !== null) {
            clearTimeout(timer);
            fail(new Error(`exited ${proc.exitCode} before "${text}":\n${out}`));
          } else setTimeout(check, 25);
        };
        check();
      });
    },
    stop(signal = 'SIGTERM') {
      if (proc.exitCode === null) proc.kill(signal);
      return exit;
    },
  };
}
