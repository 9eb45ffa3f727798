// The left navigation, with the live connection status and sign-out at the bottom.
import type { Route } from '../router.ts';
import { paths } from '../router.ts';
import type { LiveStatus } from '../live.ts';
import { BellIcon, BulbIcon, ChartIcon, ChatIcon, DatabaseIcon, GearIcon } from './icons.tsx';

interface NavProps {
  route: Route;
  status: LiveStatus;
  onSignOut: () => void;
}

export function Nav({ route, status, onSignOut }: NavProps) {
  const current = (active: boolean) =>
    active ? { class: 'nav-link active', 'aria-current': 'page' as const } : { class: 'nav-link' };
  const section = route.name === 'settings' ? route.section : null;
  return (
    <nav class="sidebar" aria-label="Main">
      <div class="brand">
        <span class="brand-mark" aria-hidden="true">
          ▲
        </span>
        Thumbline
      </div>
      <div class="nav-group">Analyze</div>
      <a href={paths.overview} data-testid="nav-overview" {...current(route.name === 'overview')}>
        <ChartIcon /> Overview
      </a>
      <a href={paths.recommendations} data-testid="nav-recommendations" {...current(route.name === 'recommendations')}>
        <BulbIcon /> Recommendations
      </a>
      <div class="nav-group">Inbox</div>
      <a href={paths.conversations} data-testid="nav-conversations" {...current(route.name === 'conversations')}>
        <ChatIcon /> Conversations
      </a>
      <div class="nav-group">Act</div>
      <a href={paths.alerts} data-testid="nav-alerts" {...current(route.name === 'alerts')}>
        <BellIcon /> Alerts
      </a>
      <div class="nav-group">Configure</div>
      <a href={paths.settings} data-testid="nav-settings" {...current(route.name === 'settings')}>
        <GearIcon /> Settings
      </a>
      <a href={paths.widgets} class={`nav-link nav-sub${section === 'widgets' ? ' active' : ''}`}>
        Widgets
      </a>
      <a href={paths.language} class={`nav-link nav-sub${section === 'language' ? ' active' : ''}`}>
        Language
      </a>
      <div class="nav-group">Data</div>
      <a href={paths.sql} data-testid="nav-sql" {...current(route.name === 'sql')}>
        <DatabaseIcon /> SQL
      </a>
      <div class="sidebar-foot">
        <span
          class={`live-status ${status}`}
          data-testid="live-status"
          title={
            status === 'live' ? 'Receiving updates as feedback arrives' : 'Not connected: numbers are not updating'
          }
        >
          {status === 'live' ? 'Live' : 'Offline'}
        </span>
        <button type="button" class="link-button" onClick={onSignOut}>
          Sign out
        </button>
      </div>
    </nav>
  );
}
