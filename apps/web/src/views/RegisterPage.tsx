import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { ErrorPanel } from '@hivesync/ui';
import { useTitle } from '../components/Title.js';
import { useSessionStore } from '../session/session.js';
import { safeNext } from './LoginPage.js';

/** The server's minimum (docs/API.md); checked here first so that the form says so before sending. */
export const MIN_PASSWORD_LENGTH = 10;

/** /register */
export function RegisterPage() {
  useTitle('Create an account');
  const store = useSessionStore();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [problem, setProblem] = useState<string | null>(null);
  const register = useMutation({
    mutationFn: (a: { email: string; password: string; name: string | undefined }) =>
      store.register(a.email, a.password, a.name),
    onSuccess: () => void navigate(safeNext(params.get('next')), { replace: true }),
  });
  const busy = register.isPending;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const password = String(form.get('password'));
    register.reset();
    if (password.length < MIN_PASSWORD_LENGTH) {
      setProblem(`The password needs at least ${MIN_PASSWORD_LENGTH} characters.`);
      return;
    }
    setProblem(null);
    const name = String(form.get('display_name')).trim();
    register.mutate({ email: String(form.get('email')).trim(), password, name: name || undefined });
  };

  return (
    <section className="narrow">
      <h1>Create your HiveSync account</h1>
      {register.error !== null && <ErrorPanel error={register.error} title="Could not create the account" />}
      <form onSubmit={submit} className="stack" noValidate={false}>
        <label>
          Email
          <input name="email" type="email" autoComplete="email" required autoFocus />
        </label>
        <label>
          Name <span className="muted">(optional)</span>
          <input name="display_name" type="text" autoComplete="name" maxLength={100} />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="new-password"
            required
            aria-describedby="password-hint"
            aria-invalid={problem !== null}
          />
        </label>
        <p id="password-hint" className={problem ? 'field-error' : 'muted small'} role={problem ? 'alert' : undefined}>
          {problem ?? `At least ${MIN_PASSWORD_LENGTH} characters, not a common password.`}
        </p>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create account'}
        </button>
      </form>
      <p>
        Already have an account? <Link to="/login">Log in</Link>
      </p>
    </section>
  );
}
