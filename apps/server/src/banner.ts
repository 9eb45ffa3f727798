import type { DemoCredentials } from '@thumbline/api';

export interface BannerInput {
  baseUrl: string;
  startedMs: number;
  credentials: DemoCredentials;
  /** Where credentials.json is. */
  file: string;
  created: boolean;
  /** stdout is a terminal (a person reads it), not a log file or `docker logs`. */
  terminal: boolean;
  /** Lines about demo traffic, when it runs. */
  demo?: string[];
}

/**
 * What `npm start` prints when ready. The dashboard link (read-only, one workspace) and the
 * public key (in every storefront page anyway) are always there; the secret key and the
 * admin token only on a terminal, since a log collector or `docker logs` would keep them.
 */
export function banner(b: BannerInput): string {
  const c = b.credentials;
  return [
    '',
    `Thumbline is ready in ${b.startedMs} ms on ${b.baseUrl}`,
    '',
    `  Dashboard:  ${b.baseUrl}/#token=${c.dashboard_token}`,
    `  Demo store: ${b.baseUrl}/demo?key=${c.public_key}`,
    `  API docs:   ${b.baseUrl}/docs`,
    `  Workspace:  ${c.workspace_id}   widget: ${c.widget_id}`,
    `  Public key: ${c.public_key}`,
    `  Snippet:    <script src="${b.baseUrl}/sdk/v1/thumbline.js" data-key="${c.public_key}" async></script>`,
    ...(b.terminal
      ? [`  Secret key: ${c.secret_key}`, `  Admin token: ${c.admin_token}`]
      : [`  Secret key and admin token: not printed (stdout is not a terminal); read them from ${b.file}`]),
    `  Credentials ${b.created ? 'written to' : 'kept in'} ${b.file}`,
    ...(b.demo ?? []),
    '',
    '',
  ].join('\n');
}
