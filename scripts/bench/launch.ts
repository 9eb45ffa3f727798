// Starting Thumbline for the bench the way users do: the node arguments of an npm script,
// rate limits off, on a free port, timed until it says it is ready.
import { readFileSync } from 'node:fs';
import { freePort, spawnNode, type Spawned } from '../../tests/support/spawn.ts';

/** What `npm run <script>` runs, as node arguments: the bench measures the roles as users start them. */
export function npmScript(script: string): string[] {
  const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
  const [command, ...args] = (scripts[script] ?? '').split(/\s+/);
  if (command !== 'node') throw new Error(`npm script ${script} does not start node: ${scripts[script]}`);
  return args;
}

export interface Started {
  proc: Spawned;
  url: string;
  /** Milliseconds from spawn to `readyText`. */
  ms: number;
}

export async function started(nodeArgs: string[], env: Record<string, string>, readyText: string): Promise<Started> {
  const port = await freePort();
  const t0 = performance.now();
  const proc = spawnNode(nodeArgs, { PORT: String(port), LOG_LEVEL: 'info', THUMBLINE_RATE_LIMIT: '0', ...env });
  await proc.waitFor(readyText, 60_000);
  return { proc, url: `http://127.0.0.1:${port}`, ms: Math.round(performance.now() - t0) };
}

/** The credentials `npm start` wrote to its data dir. */
export function appCredentials(dataDir: string): Record<string, string> {
  return JSON.parse(readFileSync(`${dataDir}/credentials.json`, 'utf8')) as Record<string, string>;
}
