import { useMutation } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { Link, Navigate, useLocation, useNavigate, useSearchParams } from 'react-router';
import { ErrorPanel } from '@hivesync/ui';
import { useTitle } from '../components/Title.js';
import { useSession, useSessionStore } from '../session/session.js';

/** Where to go after logging in: `next` when it is a path of this app, the project list otherwise. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/projects';
}

/** /login */
export function LoginPage() {
  useTitle('Log in');
  const store = useSessionStore();
  const session = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const state = (location.state ?? {}) as { expired?: boolean; loggedOut?: boolean };
  const login = useMutation({
    mutationFn: ({ email, password }: { email: string; password: string }) => store.login(email, password),
    onSuccess: () => void navigate(next, { replace: true }),
  });
  const busy = login.isPending;

  if (session.status === 'signed_in' && !busy) return <Navigate to={next} replace />;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    login.mutate({ email: String(form.get('email')).trim(), password: String(form.get('password')) });
  };

  return (
    <section className="narrow">
      <h1>Log in to HiveSync</h1>
      {state.expired && <p className="notice">Your session has expired. Log in again to go on where you were.</p>}
      {state.loggedOut && <p className="notice">You have logged out.</p>}
      {login.error !== null && <ErrorPanel error={login.error} title="Could not log in" />}
      <form onSubmit={submit} className="stack">
        <label>
          Email
          <input name="email" type="email" autoComplete="username" required autoFocus />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
      <p>
        New here? <Link to={`/register${location.search}`}>Create an account</Link>
      </p>
    </section>
  );
}
