// Log-in and first-run setup forms (setup only appears while the server has no user).
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { Api } from './lib/api.js';
import type { User } from './lib/types.js';

/** The login (or setup) page; calls onDone with the user once a session exists. */
export function LoginPage({ api, setup, onDone }: { api: Api; setup: boolean; onDone: (u: User) => void }): JSX.Element {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const res = await api.request<{ user: User }>('POST', setup ? '/api/v1/setup' : '/api/v1/session', { name, password }, { quiet401: true });
      onDone(res.user);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <form onSubmit={(e) => void submit(e)} aria-labelledby="login-title">
        <h1 id="login-title"><span class="logo" aria-hidden="true" /> Oversee</h1>
        {setup ? <p>Welcome. Create the first administrator account; this page works only until one exists.</p> : null}
        <label>User name<input name="name" autoComplete="username" required value={name} onInput={(e) => setName(e.currentTarget.value)} autoFocus /></label>
        <label>Password<input name="password" type="password" autoComplete={setup ? 'new-password' : 'current-password'} required minLength={setup ? 8 : 1}
          value={password} onInput={(e) => setPassword(e.currentTarget.value)} /></label>
        {error ? <p class="error" role="alert">{error}</p> : null}
        <button class="btn primary" type="submit" disabled={busy}>{setup ? 'Create admin and log in' : 'Log in'}</button>
      </form>
    </main>
  );
}
