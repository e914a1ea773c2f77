// Entry point: checks the session, shows login/setup or the app, loads the overview and keeps it
// live over Server-Sent Events.
import { render } from 'preact';
import { Api, Features } from './lib/api.js';
import { LiveConnection, type LiveStatus } from './lib/live.js';
import { OverviewModel } from './lib/model.js';
import { Router } from './lib/router.js';
import type { LiveEvent, User } from './lib/types.js';
import { App } from './App.js';
import type { AppServices } from './context.js';
import { LoginPage } from './Login.js';
import './styles.css';

const root = document.getElementById('app')!;
const api = new Api();
const router = new Router();

/** Shows a message at the bottom for a few seconds. */
function toast(message: string, kind: 'ok' | 'error' = 'ok'): void {
  let box = document.getElementById('toasts');
  if (box === null) {
    box = document.createElement('div');
    box.id = 'toasts';
    box.setAttribute('role', 'status');
    box.setAttribute('aria-live', 'polite');
    document.body.append(box);
  }
  const el = document.createElement('div');
  el.className = `toast ${kind}`;
  el.textContent = message;
  box.append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 4000);
}

let live: LiveConnection | null = null;

/** Shows the login (or setup) page. */
function showLogin(setup: boolean): void {
  live?.stop();
  live = null;
  router.navigate(setup ? '/setup' : '/login', true);
  render(<LoginPage api={api} setup={setup} onDone={(u) => { router.navigate('/', true); void start(u); }} />, root);
}

/** Starts the app for a logged-in user (`atBoot`: the session existed when the page loaded). */
async function start(user: User, atBoot = false): Promise<void> {
  const features = new Features();
  const model = new OverviewModel();
  const listeners = new Set<(e: LiveEvent) => void>();
  const services: AppServices = {
    api, features, model, router, user, toast,
    onLive(fn) { listeners.add(fn); return () => { listeners.delete(fn); }; },
  };
  let status: LiveStatus = 'connecting';
  const draw = (): void => render(<App services={services} liveStatus={status} onLogout={() => void logout()} />, root);
  // The overview first (index.html preloads it); the OpenAPI paths only decide optional buttons.
  await model.load(api, atBoot);
  void features.load(api).then(draw);
  live = new LiveConnection(
    (e) => { model.apply(e); for (const fn of listeners) fn(e); },
    (s) => {
      const was = status;
      status = s;
      draw();
      // Back after a drop: the server replays what was missed; a fresh load covers longer gaps.
      if (was === 'lost' && s === 'open') void model.load(api).catch(() => undefined);
    },
    () => void model.load(api).catch(() => undefined),
  );
  live.start(model.lastEventId);
  draw();
}

async function logout(): Promise<void> {
  try { await api.del('/api/v1/session'); } catch { /* the session may be gone already */ }
  showLogin(false);
}

api.onUnauthorized = () => showLogin(false);

async function boot(): Promise<void> {
  try {
    const s = await api.request<{ user: User | null; setupRequired: boolean }>('GET', '/api/v1/session');
    if (s.user !== null) await start(s.user, true);
    else showLogin(s.setupRequired);
  } catch (err) {
    root.textContent = `Oversee could not start: ${err instanceof Error ? err.message : String(err)}`;
  }
}
void boot();
