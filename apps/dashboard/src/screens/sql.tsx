// SQL console: one read-only SELECT with the admin token, results as a table.
import { useMemo, useRef, useState } from 'preact/hooks';
import type { SqlResult } from '@thumbline/events';
import { Api, ApiError, errorMessage } from '../api.ts';
import { adminToken } from '../session.ts';

const EXAMPLES: { label: string; query: string }[] = [
  {
    label: 'Thumbs and CSAT per day',
    query: `SELECT toDate(bucket, 'UTC') AS day,
       sum(thumbs_up) AS up,
       sum(thumbs_down) AS down,
       round(sum(csat_sum) / nullIf(sum(csat_count), 0), 2) AS avg_csat
FROM feedback_15m
WHERE workspace_id = 'demo'
GROUP BY day
ORDER BY day DESC
LIMIT 90`,
  },
  {
    label: 'Latest negative ratings',
    query: `SELECT conversation_id, started_at, score, negative_reason
FROM conversations FINAL
WHERE workspace_id = 'demo' AND score <= 2
ORDER BY started_at DESC
LIMIT 50`,
  },
  {
    label: 'Events by type (7 days)',
    query: `SELECT type, count() AS events, uniqExact(conversation_id) AS conversations
FROM events
WHERE workspace_id = 'demo' AND ts >= now() - INTERVAL 7 DAY
GROUP BY type
ORDER BY events DESC`,
  },
  {
    label: 'Most thumbed-down answers',
    query: `SELECT conversation_id, message_id, argMax(thumb, (ts, recv)) AS current_thumb
FROM events
WHERE workspace_id = 'demo' AND type = 'message.feedback'
GROUP BY conversation_id, message_id
HAVING current_thumb = 'down'
ORDER BY conversation_id
LIMIT 100`,
  },
];

/** Numeric ClickHouse types (64-bit ones arrive as strings), right-aligned. */
function numeric(type: string): boolean {
  return /^(Nullable\()?(U?Int|Float|Decimal)/.test(type);
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function AdminTokenForm({ onToken, error }: { onToken: (token: string) => void; error: string | null }) {
  const [value, setValue] = useState('');
  return (
    <form
      class="card admin-token"
      onSubmit={(e) => {
        e.preventDefault();
        if (value.trim()) onToken(value.trim());
      }}
    >
      <h2 class="card-title">Admin token required</h2>
      <p class="card-subtitle">
        The SQL console runs queries with the workspace's admin token (<code>admin_token</code> in credentials.json). It
        is kept for this browser tab only.
      </p>
      {error && (
        <p class="error-note" role="alert" data-testid="admin-token-error">
          {error}
        </p>
      )}
      <div class="inline-form">
        <input
          type="password"
          data-testid="admin-token"
          aria-label="Admin token"
          placeholder="Paste the admin token"
          autocomplete="off"
          value={value}
          onInput={(e) => setValue((e.currentTarget as HTMLInputElement).value)}
        />
        <button type="submit" class="button primary" data-testid="admin-token-save">
          Use token
        </button>
      </div>
    </form>
  );
}

export function SqlScreen() {
  const [token, setToken] = useState<string | null>(() => adminToken.get());
  const [tokenError, setTokenError] = useState<string | null>(null);
  const [query, setQuery] = useState(EXAMPLES[0]?.query ?? '');
  const [result, setResult] = useState<SqlResult | null>(null);
  const [error, setError] = useState<{ code: string; message: string } | null>(null);
  const [running, setRunning] = useState(false);
  const runId = useRef(0);
  const api = useMemo(() => (token ? new Api(token) : null), [token]);

  const storeToken = (next: string | null) => {
    adminToken.set(next);
    setToken(next);
  };

  const run = async () => {
    if (!api || running || !query.trim()) return;
    const id = ++runId.current;
    setRunning(true);
    setError(null);
    try {
      const r = await api.post<SqlResult>('/v1/sql', { query });
      if (id !== runId.current) return;
      setResult(r);
    } catch (err) {
      if (id !== runId.current) return;
      if (err instanceof ApiError && err.status === 401) {
        storeToken(null);
        setTokenError('That admin token was not accepted. Paste the admin token of this workspace.');
        return;
      }
      setResult(null);
      setError(
        err instanceof ApiError
          ? { code: err.code, message: err.message }
          : { code: 'error', message: errorMessage(err) },
      );
    } finally {
      if (id === runId.current) setRunning(false);
    }
  };

  return (
    <div class="screen screen-wide">
      <header class="screen-head">
        <div>
          <h1>SQL</h1>
        </div>
        {token && (
          <button type="button" class="link-button" onClick={() => storeToken(null)}>
            Forget admin token
          </button>
        )}
      </header>
      {!token ? (
        <AdminTokenForm
          error={tokenError}
          onToken={(t) => {
            setTokenError(null);
            storeToken(t);
          }}
        />
      ) : (
        <>
          <section class="card sql-card">
            <div class="sql-examples">
              <span class="muted">Examples:</span>
              {EXAMPLES.map((ex) => (
                <button key={ex.label} type="button" class="chip" onClick={() => setQuery(ex.query)}>
                  {ex.label}
                </button>
              ))}
            </div>
            <textarea
              class="sql-editor"
              data-testid="sql-editor"
              aria-label="SQL query"
              spellcheck={false}
              value={query}
              rows={10}
              onInput={(e) => setQuery((e.currentTarget as HTMLTextAreaElement).value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                  e.preventDefault();
                  void run();
                }
              }}
            />
            <div class="sql-actions">
              <button
                type="button"
                class="button primary"
                data-testid="sql-run"
                onClick={() => void run()}
                disabled={running || !query.trim()}
              >
                {running ? 'Running…' : 'Run'}
              </button>
              <span class="muted">Ctrl/⌘ + Enter runs · one read-only SELECT · filter on workspace_id</span>
              <span class="muted sql-cap">Results are capped at 10,000 rows</span>
            </div>
          </section>
          {error && (
            <div class="sql-error" role="alert" data-testid="sql-error">
              <strong class="mono">{error.code}</strong> {error.message}
            </div>
          )}
          {result && !error && (
            <section class="card sql-result" data-testid="sql-result">
              <div class="sql-stats" data-testid="sql-stats">
                {`${result.rows.length.toLocaleString()} ${result.rows.length === 1 ? 'row' : 'rows'} · read ${result.rows_read.toLocaleString()} ${result.rows_read === 1 ? 'row' : 'rows'} · ${Math.round(result.elapsed_ms * 10) / 10} ms`}
              </div>
              <div class="table-scroll">
                <table class="data-table">
                  <thead>
                    <tr>
                      {result.columns.map((c, i) => (
                        <th key={i} title={c.type} class={numeric(c.type) ? 'num' : undefined}>
                          {c.name}
                          <span class="col-type">{c.type}</span>
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {result.rows.map((row, r) => (
                      <tr key={r}>
                        {row.map((v, i) => (
                          <td
                            key={i}
                            class={
                              [v === null && 'null', numeric(result.columns[i]?.type ?? '') && 'num']
                                .filter(Boolean)
                                .join(' ') || undefined
                            }
                          >
                            {cell(v)}
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {result.rows.length === 0 && <p class="placeholder">The query returned no rows.</p>}
            </section>
          )}
        </>
      )}
    </div>
  );
}
