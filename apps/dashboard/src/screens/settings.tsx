// Settings: the widget's CSAT prompt switch and the prompt's copy per language.
import { useEffect } from 'preact/hooks';
import { AutoEndSettingsCard } from '../components/auto-end-settings.tsx';
import { WidgetSettingsCard } from '../components/widget-settings.tsx';

export function SettingsScreen({ section }: { section: 'widgets' | 'language' | null }) {
  useEffect(() => {
    if (section) document.getElementById(section)?.scrollIntoView({ block: 'start' });
  }, [section]);
  return (
    <div class="screen">
      <header class="screen-head">
        <div>
          <h1>Settings</h1>
        </div>
      </header>
      <p class="lead">
        Per-message thumbs are always part of the widget. Here you switch the conversation-level rating prompt on or off
        and write its copy for each language. Don't disable feedback to inflate your CSAT: negative feedback is the most
        valuable signal your assistant produces.
      </p>
      <div class="settings-stack">
        <WidgetSettingsCard />
        <AutoEndSettingsCard />
      </div>
    </div>
  );
}
