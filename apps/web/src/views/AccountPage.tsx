import { useState } from 'react';
import { useNavigate } from 'react-router';
import type { SessionInfo } from '@hivesync/sdk';
import { ErrorPanel } from '@hivesync/ui';
import './account.css';
import { useTitle } from '../components/Title.js';
import { formatWhen } from '../lib/format.js';
import { useLogoutAllMutation, useRevokeSessionMutation, useSessionsQuery } from '../queries/account.js';
import { useSession } from '../session/session.js';
import { NotificationSettings } from './settings/NotificationSettings.js';

/** What each client calls itself (X-HiveSync-Client), in words. */
const CLIENT_NAMES: Record<string, string> = {
  web: 'Web app',
  cli: 'Command line (hivesync)',
  vscode: 'VS Code',
  desktop: 'Desktop app',
  agent: 'Desktop agent (local API)',
  mobile: 'Mobile app',
  lsp: 'Editor (language server)',
};

/** /account: who is signed in, where (each session), and logging out of one or all of them. */
export function AccountPage() {
  useTitle('Account');
  const session = useSession();
  if (session.status !== 'signed_in') return null;
  const user = session.user;
  return (
    <section className="account-page">
      <h1>Account</h1>
      <h2>Profile</h2>
      <dl className="facts">
        <dt>Name</dt>
        <dd>{user.display_name}</dd>
        <dt>Email</dt>
        <dd>{user.email}</dd>
        <dt>Role</dt>
        <dd>{user.role === 'admin' ? 'Administrator of this server' : 'User'}</dd>
      </dl>
      <NotificationSettings />
      <Sessions />
      <LogoutEverywhere />
    </section>
  );
}

/** The account's open sessions: this browser's marked, each other one revocable. */
function Sessions() {
  const sessions = useSessionsQuery();
  const revoke = useRevokeSessionMutation();
  const [revoked, setRevoked] = useState<string | null>(null);
  // This browser's session first, then the others as the server orders them (most recently used first).
  const list = [...(sessions.data?.pages.flatMap((p) => p.sessions) ?? [])].sort(
    (a, b) => Number(b.current) - Number(a.current),
  );
  return (
    <section aria-labelledby="sessions-title">
      <h2 id="sessions-title">Active sessions</h2>
      <p className="muted small">
        Each time you log in (here, in another browser, or with the command line) a session starts. Revoke one you do
        not recognise: it is logged out at once.
      </p>
      {sessions.isPending && <p aria-live="polite">Loading your sessions…</p>}
      {sessions.isError && <ErrorPanel error={sessions.error} title="Could not load your sessions" />}
      {revoke.isError && <ErrorPanel error={revoke.error} title="Could not revoke the session" />}
      <p role="status" className="small">
        {revoked && !revoke.isPending && !revoke.isError ? `Session revoked: ${revoked}.` : ''}
      </p>
      {list.length > 0 && (
        <ul className="session-list" aria-label="Active sessions">
          {list.map((s) => {
            const label = sessionLabel(s);
            return (
              <li key={s.id} className="session-item">
                <div>
                  <p className="session-name">
                    {label}
                    {s.current && <span className="badge current">This browser</span>}
                  </p>
                  {s.user_agent && <p className="muted small session-agent">{s.user_agent}</p>}
                  <p className="small">
                    Logged in {formatWhen(s.created_at)} · last used {formatWhen(s.last_used_at)}
                  </p>
                </div>
                {s.current ? (
                  <p className="muted small">Use Log out to end this one.</p>
                ) : (
                  <button
                    type="button"
                    disabled={revoke.isPending}
                    aria-label={`Revoke ${label}, logged in ${formatWhen(s.created_at)}`}
                    onClick={() => {
                      setRevoked(label);
                      revoke.mutate(s.id);
                    }}
                  >
                    {revoke.isPending && revoke.variables === s.id ? 'Revoking…' : 'Revoke'}
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {sessions.hasNextPage && (
        <button type="button" disabled={sessions.isFetchingNextPage} onClick={() => void sessions.fetchNextPage()}>
          {sessions.isFetchingNextPage ? 'Loading more sessions…' : 'Show more sessions'}
        </button>
      )}
    </section>
  );
}

/** "Log out everywhere", asked twice: it ends this browser's session too. */
function LogoutEverywhere() {
  const logoutAll = useLogoutAllMutation();
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState(false);
  return (
    <section aria-labelledby="everywhere-title" className="danger-zone">
      <h2 id="everywhere-title">Log out everywhere</h2>
      <p>
        Ends every session of your account: in this browser, in every other browser and app, and on the command line.
        Use it if you lost a device or think someone else has logged in as you.
      </p>
      {logoutAll.isError && <ErrorPanel error={logoutAll.error} title="Could not log out everywhere" />}
      {!confirming ? (
        <button type="button" className="danger" onClick={() => setConfirming(true)}>
          Log out everywhere…
        </button>
      ) : (
        <div className="confirm" role="group" aria-labelledby="everywhere-confirm">
          <p id="everywhere-confirm">
            <strong>Log out of every session, this one included?</strong> You will need your password to log in again.
          </p>
          <div className="actions">
            <button
              type="button"
              className="danger"
              autoFocus
              disabled={logoutAll.isPending}
              onClick={() =>
                // Not mutate()'s onSuccess: signing out unmounts this page first, and that callback would be dropped.
                logoutAll.mutateAsync().then(
                  () => navigate('/login', { state: { loggedOut: true } }),
                  () => undefined,
                )
              }
            >
              {logoutAll.isPending ? 'Logging out…' : 'Yes, log out everywhere'}
            </button>
            <button type="button" disabled={logoutAll.isPending} onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </div>
      )}
    </section>
  );
}

/** A session in words: its client and, when the User-Agent says, the browser and system. */
function sessionLabel(s: SessionInfo): string {
  const client = s.client ? (CLIENT_NAMES[s.client] ?? s.client) : 'Unknown client';
  const browser = s.client === 'web' || s.client === null ? describeBrowser(s.user_agent) : undefined;
  return browser ? `${client}: ${browser}` : client;
}

/** "Firefox on Linux" from a User-Agent, or undefined when it names no browser we know. */
export function describeBrowser(userAgent: string | null): string | undefined {
  if (!userAgent) return undefined;
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Firefox\//.test(userAgent)
      ? 'Firefox'
      : /Chrom(e|ium)\//.test(userAgent)
        ? 'Chrome'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : undefined;
  if (!browser) return undefined;
  const system = /Android/.test(userAgent)
    ? 'Android'
    : /iPhone|iPad/.test(userAgent)
      ? 'iOS'
      : /Windows/.test(userAgent)
        ? 'Windows'
        : /Mac OS X/.test(userAgent)
          ? 'macOS'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : undefined;
  return system ? `${browser} on ${system}` : browser;
}
