// Services of a signed-in session, shared by every screen.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api } from './api.ts';
import type { LiveHub } from './live.ts';

export interface Services {
  /** Dashboard-token API client (a 401 signs out). */
  api: Api;
  hub: LiveHub;
}

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices outside a signed-in session');
  return services;
}
