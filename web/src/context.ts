// What every page gets from the app shell.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api, Features } from './lib/api.js';
import type { OverviewModel } from './lib/model.js';
import type { Router } from './lib/router.js';
import type { LiveEvent, User } from './lib/types.js';

/** The app's collaborators (built once in main.tsx). */
export interface AppServices {
  api: Api;
  features: Features;
  model: OverviewModel;
  router: Router;
  user: User;
  /** Subscribes to every live event (for pages that show more than the overview model). */
  onLive(fn: (e: LiveEvent) => void): () => void;
  /** Shows a short message at the bottom of the page. */
  toast(message: string, kind?: 'ok' | 'error'): void;
}

/** Context carrying AppServices. */
export const Services = createContext<AppServices | null>(null);

/** The app services (inside the shell). */
export function useServices(): AppServices {
  const s = useContext(Services);
  if (s === null) throw new Error('useServices outside the app shell');
  return s;
}
