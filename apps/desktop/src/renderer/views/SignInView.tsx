import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ErrorPanel } from '@hivesync/ui';
import { agent } from '../agent.js';
import { keys } from '../queries.js';

/**
 * Signs the agent in with the user's email and password: the agent keeps the session (refresh token in the OS
 * keychain) for this window and for every editor on this machine; this page never sees a token.
 */
export function SignInView({ serverUrl }: { serverUrl: string }) {
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const signIn = useMutation({
    mutationFn: () => agent.signIn({ email: email.trim(), password }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.health }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!email.trim() || !password) {
      setProblem('Enter your email and your password.');
      return;
    }
    setProblem(null);
    signIn.mutate();
  };
  return (
    <main className="narrow">
      <h1>Sign in to HiveSync</h1>
      <p className="muted">
        Server: <code>{serverUrl}</code>. Your editors on this machine use this session too.
      </p>
      <form className="stack" onSubmit={submit} noValidate aria-label="Sign in">
        <label>
          Email
          <input type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          Password
          <input
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {problem && <p className="field-error">{problem}</p>}
        {signIn.isError && <ErrorPanel error={signIn.error} title="Not signed in" />}
        <button type="submit" className="primary" disabled={signIn.isPending}>
          {signIn.isPending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
