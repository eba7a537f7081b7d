import { useState, type FormEvent } from 'react';
import type { Project } from '@hivesync/sdk';
import { ErrorPanel } from '@hivesync/ui';
import { useCredentialMutation, useCredentialQuery } from '../../queries/projects.js';

const TOKEN_MAX = 4096;

/**
 * The HTTPS credential: whether one is set, set a new one (token and optional username), remove it. The server
 * never sends a credential back, so this shows only "set" or "not set".
 */
export function CredentialSettings({ project, canEdit }: { project: Project; canEdit: boolean }) {
  const status = useCredentialQuery(project.id);
  const change = useCredentialMutation(project.id);
  const [token, setToken] = useState('');
  const [username, setUsername] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const https = project.repo_url?.startsWith('https://') ?? false;
  const isSet = (status.data?.credential ?? project.credential) === 'set';
  const kind = status.data?.type === 'ssh_key' ? 'an SSH key' : 'an HTTPS token';

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setDone(null);
    if (token.trim() === '') return setProblem('Paste the access token.');
    if (token.length > TOKEN_MAX) return setProblem(`A token has at most ${TOKEN_MAX} characters.`);
    if (/\s/.test(username)) return setProblem('A username has no spaces.');
    setProblem(null);
    change.mutate(
      { type: 'https_token', token: token.trim(), ...(username.trim() && { username: username.trim() }) },
      {
        onSuccess: () => {
          // The secret leaves the page as soon as the server has it.
          setToken('');
          setUsername('');
          setDone('Credential saved.');
        },
      },
    );
  };

  return (
    <section aria-labelledby="credential-title" className="settings-section">
      <h2 id="credential-title">HTTPS credential</h2>
      <p>
        Status: <strong data-testid="credential-status">{isSet ? `set (${kind})` : 'not set'}</strong>
        {status.isPending && <span className="muted small"> (checking…)</span>}
      </p>
      {status.isError && <ErrorPanel error={status.error} title="Could not read the credential’s status" />}
      <ul className="muted small rules">
        <li>
          For a private repository over HTTPS: an access token (GitHub, GitLab and Gitea accept one with the default
          username, <code>x-access-token</code>).
        </li>
        <li>
          It is sent only to the host of this project’s repository URL, over HTTPS. Changing the URL to another host
          removes it.
        </li>
        <li>It is encrypted on the server and never shown again, here or anywhere: to change it, set a new one.</li>
        <li>
          SSH keys are set with the command line: <code>hivesync credential set</code>.
        </li>
      </ul>
      {!https && project.repo_url && (
        <p className="notice small">This project’s repository URL is not HTTPS: an HTTPS token is not used for it.</p>
      )}
      {canEdit && (
        <form onSubmit={submit} className="stack" noValidate>
          <label>
            Access token
            <input
              type="password"
              name="token"
              autoComplete="off"
              value={token}
              onChange={(e) => setToken(e.target.value)}
              spellCheck={false}
            />
          </label>
          <label>
            <span>
              Username <span className="muted">(optional)</span>
            </span>
            <input
              name="username"
              autoComplete="off"
              value={username}
              placeholder="x-access-token"
              onChange={(e) => setUsername(e.target.value)}
              spellCheck={false}
              autoCapitalize="off"
            />
          </label>
          {problem && (
            <p className="field-error" role="alert">
              {problem}
            </p>
          )}
          {change.isError && <ErrorPanel error={change.error} title="Could not change the credential" />}
          <div className="actions wrap">
            <button type="submit" className="primary" disabled={change.isPending}>
              {change.isPending && change.variables ? 'Saving…' : isSet ? 'Replace credential' : 'Save credential'}
            </button>
            {isSet && (
              <button
                type="button"
                disabled={change.isPending}
                onClick={() => {
                  setDone(null);
                  change.mutate(null, { onSuccess: () => setDone('Credential removed.') });
                }}
              >
                {change.isPending && change.variables === null ? 'Removing…' : 'Remove credential'}
              </button>
            )}
            <span role="status" className="small">
              {done && !change.isPending ? done : ''}
            </span>
          </div>
        </form>
      )}
    </section>
  );
}
