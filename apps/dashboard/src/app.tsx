// The app: sign-in state, the one live connection, navigation and the screens.
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { Api, ApiError } from './api.ts';
import { ServicesContext, type Services } from './context.ts';
import type { FeedbackFilter } from './inbox.ts';
import type { ReviewFilter } from './review.ts';
import { LiveHub, type LiveStatus } from './live.ts';
import { defaultRange, type RangeSelection } from './range.ts';
import { paths, useRoute } from './router.ts';
import { useSegment } from './segment.ts';
import { dashboardToken, takeTokenFromHash } from './session.ts';
import { Nav } from './components/nav.tsx';
import { ConversationsScreen } from './screens/conversations.tsx';
import { OverviewScreen } from './screens/overview.tsx';
import { RecommendationsScreen } from './screens/recommendations.tsx';
import { AlertsScreen } from './screens/alerts.tsx';
import { SettingsScreen } from './screens/settings.tsx';
import { SignInScreen } from './screens/signin.tsx';
import { SqlScreen } from './screens/sql.tsx';

const REJECTED = 'That token was not accepted. Check that you pasted the whole dashboard token.';
const REVOKED = 'This dashboard token was revoked. Sign in with a current one.';

type Auth =
  | { state: 'signed-out'; error: string | null }
  | { state: 'checking'; token: string; fromForm: boolean }
  | { state: 'signed-in'; token: string };

/** A cheap authenticated read: does the API take this dashboard token? */
async function checkToken(token: string): Promise<boolean> {
  try {
    await new Api(token).get('/v1/settings/widgets/default');
    return true;
  } catch (err) {
    // Only a refusal signs out; a network hiccup is shown by the screens.
    return !(err instanceof ApiError && err.status === 401);
  }
}

function initialAuth(): Auth {
  const token = takeTokenFromHash() ?? dashboardToken.get();
  return token ? { state: 'checking', token, fromForm: false } : { state: 'signed-out', error: null };
}

export function App() {
  const [auth, setAuth] = useState<Auth>(initialAuth);

  const signIn = useCallback((token: string, fromForm = false) => setAuth({ state: 'checking', token, fromForm }), []);
  const signOut = useCallback((error: string | null) => {
    dashboardToken.set(null);
    setAuth({ state: 'signed-out', error });
  }, []);

  // A sign-in link opened while the app is already open.
  useEffect(() => {
    const onHash = () => {
      const token = takeTokenFromHash();
      if (token) signIn(token);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [signIn]);

  useEffect(() => {
    if (auth.state !== 'checking') return;
    let cancelled = false;
    void checkToken(auth.token).then((ok) => {
      if (cancelled) return;
      if (ok) {
        dashboardToken.set(auth.token);
        setAuth({ state: 'signed-in', token: auth.token });
      } else {
        signOut(REJECTED);
      }
    });
    return () => {
      cancelled = true;
    };
  }, [auth, signOut]);

  if (auth.state === 'signed-in') {
    return <Dashboard key={auth.token} token={auth.token} onSignOut={signOut} />;
  }
  if (auth.state === 'checking' && !auth.fromForm) {
    // A sign-in link or a stored token being checked: no need to flash the form.
    return (
      <main class="signin" aria-busy="true">
        <p class="muted">Signing in…</p>
      </main>
    );
  }
  return (
    <SignInScreen
      error={auth.state === 'signed-out' ? auth.error : null}
      checking={auth.state === 'checking'}
      onSubmit={(token) => signIn(token, true)}
    />
  );
}

function Dashboard({ token, onSignOut }: { token: string; onSignOut: (error: string | null) => void }) {
  const route = useRoute();
  const [range, setRange] = useState<RangeSelection>(defaultRange);
  const [filter, setFilter] = useState<FeedbackFilter>('all');
  const [review, setReview] = useState<ReviewFilter>('all');
  const [search, setSearch] = useState('');
  const [segment, setSegment] = useSegment();
  const services = useMemo<Services>(() => {
    const rejected = () => onSignOut(REJECTED);
    const closed = (reason: string) => onSignOut(reason === 'token_revoked' ? REVOKED : REJECTED);
    return { api: new Api(token, rejected), hub: new LiveHub(token, closed) };
  }, [token, onSignOut]);
  const [status, setStatus] = useState<LiveStatus>(services.hub.status);

  useEffect(() => {
    const { hub } = services;
    const off = hub.onStatus(setStatus);
    hub.start();
    return () => {
      off();
      hub.close();
    };
  }, [services]);

  useEffect(() => {
    if (!location.hash || location.hash === '#' || location.hash === '#/') {
      history.replaceState(null, '', `${location.pathname}${location.search}#/overview`);
    }
  }, []);

  let screen;
  switch (route.name) {
    case 'overview':
      screen = (
        <OverviewScreen
          range={range}
          onRange={setRange}
          segment={segment}
          onSegment={setSegment}
          onTriage={() => {
            // The weekly loop: the window's negative conversations nobody has reviewed yet.
            setFilter('downvote');
            setReview('unreviewed');
            setSearch('');
            location.hash = paths.conversations;
          }}
        />
      );
      break;
    case 'recommendations':
      screen = <RecommendationsScreen range={range} onRange={setRange} segment={segment} onSegment={setSegment} />;
      break;
    case 'conversations':
      screen = (
        <ConversationsScreen
          range={range}
          onRange={setRange}
          segment={segment}
          onSegment={setSegment}
          openId={route.id}
          filter={filter}
          onFilter={setFilter}
          review={review}
          onReview={setReview}
          search={search}
          onSearch={setSearch}
        />
      );
      break;
    case 'alerts':
      screen = <AlertsScreen />;
      break;
    case 'settings':
      screen = <SettingsScreen section={route.section} />;
      break;
    case 'sql':
      screen = <SqlScreen />;
      break;
  }

  return (
    <ServicesContext.Provider value={services}>
      <div class="layout">
        <Nav route={route} status={status} onSignOut={() => onSignOut(null)} />
        <main class="content">{screen}</main>
      </div>
    </ServicesContext.Provider>
  );
}
