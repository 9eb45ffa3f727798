// Hash routes: #/overview, #/recommendations, #/conversations[/<id>], #/alerts, #/settings[/widgets|/language], #/sql.
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { name: 'overview' }
  | { name: 'recommendations' }
  | { name: 'conversations'; id: string | null }
  | { name: 'settings'; section: 'widgets' | 'language' | null }
  | { name: 'alerts' }
  | { name: 'sql' };

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

export function parseHash(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/');
  const [head, ...rest] = parts;
  switch (head) {
    case 'recommendations':
      return { name: 'recommendations' };
    case 'conversations': {
      const id = rest.join('/');
      return { name: 'conversations', id: id ? decode(id) : null };
    }
    case 'settings':
      return { name: 'settings', section: rest[0] === 'widgets' || rest[0] === 'language' ? rest[0] : null };
    case 'alerts':
      return { name: 'alerts' };
    case 'sql':
      return { name: 'sql' };
    default:
      return { name: 'overview' };
  }
}

export const paths = {
  overview: '#/overview',
  recommendations: '#/recommendations',
  conversations: '#/conversations',
  conversation: (id: string) => `#/conversations/${encodeURIComponent(id)}`,
  settings: '#/settings',
  widgets: '#/settings/widgets',
  language: '#/settings/language',
  alerts: '#/alerts',
  sql: '#/sql',
};

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseHash(location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
