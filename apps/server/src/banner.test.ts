import { describe, expect, it } from 'vitest';
import { banner, type BannerInput } from './banner.ts';

const input: BannerInput = {
  baseUrl: 'http://127.0.0.1:8080',
  startedMs: 900,
  credentials: {
    workspace_id: 'demo',
    widget_id: 'default',
    public_key: 'pk_public',
    secret_key: 'sk_secret',
    dashboard_token: 'dt_dashboard',
    admin_token: 'at_admin',
    base_url: 'http://127.0.0.1:8080',
  },
  file: 'data/credentials.json',
  created: true,
  terminal: false,
};

describe('banner', () => {
  it('keeps the secret key and admin token out of logs, and says where they are', () => {
    const text = banner(input);
    expect(text).not.toContain('sk_secret');
    expect(text).not.toContain('at_admin');
    expect(text).toContain('http://127.0.0.1:8080/#token=dt_dashboard');
    expect(text).toContain('read them from data/credentials.json');
  });

  it('prints them on a terminal', () => {
    const text = banner({ ...input, terminal: true });
    expect(text).toContain('Secret key: sk_secret');
    expect(text).toContain('Admin token: at_admin');
  });
});
