// Sign-in with a dashboard token (the link printed by `npm start` signs in by itself).
import { useState } from 'preact/hooks';

interface SignInProps {
  error: string | null;
  checking: boolean;
  onSubmit: (token: string) => void;
}

export function SignInScreen({ error, checking, onSubmit }: SignInProps) {
  const [value, setValue] = useState('');
  return (
    <main class="signin">
      <form
        class="card signin-card"
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim()) onSubmit(value.trim());
        }}
      >
        <div class="brand signin-brand">
          <span class="brand-mark" aria-hidden="true">
            ▲
          </span>
          Thumbline
        </div>
        <h1>Sign in to the dashboard</h1>
        <p class="muted">
          Open the sign-in link printed by <code>npm start</code>, or paste the workspace's dashboard token (
          <code>dashboard_token</code> in credentials.json).
        </p>
        {error && (
          <p class="error-note" role="alert" data-testid="signin-error">
            {error}
          </p>
        )}
        <label class="field">
          <span class="field-label">Dashboard token</span>
          <input
            type="password"
            data-testid="signin-token"
            autocomplete="off"
            spellcheck={false}
            value={value}
            onInput={(e) => setValue((e.currentTarget as HTMLInputElement).value)}
          />
        </label>
        <button type="submit" class="button primary" data-testid="signin-submit" disabled={checking || !value.trim()}>
          {checking ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
