import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { newToken, type CredentialStore } from '@thumbline/redis';
import { writeFileAtomic } from '@thumbline/runtime';

/** `<data dir>/credentials.json` (README, Quick start). */
export interface DemoCredentials {
  workspace_id: string;
  widget_id: string;
  public_key: string;
  secret_key: string;
  dashboard_token: string;
  admin_token: string;
  base_url: string;
}

export const DEMO_WORKSPACE = 'demo';
export const DEMO_ORIGINS = ['http://localhost:*', 'http://127.0.0.1:*'];

/**
 * Makes sure the demo workspace exists. On first start (no credentials.json) it mints
 * the credentials and writes the file; later starts reuse the file and re-register the
 * tokens, so a fresh Redis behind the same data dir still accepts them.
 */
export async function ensureDemoWorkspace(
  store: CredentialStore,
  dataDir: string,
  baseUrl: string,
): Promise<{ credentials: DemoCredentials; created: boolean }> {
  const file = join(dataDir, 'credentials.json');
  let credentials: DemoCredentials;
  let created = false;
  if (existsSync(file)) {
    credentials = JSON.parse(readFileSync(file, 'utf8')) as DemoCredentials;
  } else {
    credentials = {
      workspace_id: DEMO_WORKSPACE,
      widget_id: 'default',
      public_key: newToken('public'),
      secret_key: newToken('secret'),
      dashboard_token: newToken('dashboard'),
      admin_token: newToken('admin'),
      base_url: baseUrl,
    };
    created = true;
  }
  const ws = credentials.workspace_id;
  if (!(await store.workspace(ws))) {
    await store.saveWorkspace({ id: ws, tz: 'UTC', allowed_origins: DEMO_ORIGINS });
  }
  await store.addToken(credentials.public_key, { workspace_id: ws, kind: 'public' });
  await store.addToken(credentials.secret_key, { workspace_id: ws, kind: 'secret' });
  await store.addToken(credentials.dashboard_token, { workspace_id: ws, kind: 'dashboard' });
  await store.addToken(credentials.admin_token, { workspace_id: ws, kind: 'admin' });
  if (created) {
    mkdirSync(dataDir, { recursive: true });
    // Scripts read this file as soon as /readyz answers 200: whole or absent, never half.
    writeFileAtomic(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  }
  return { credentials, created };
}
