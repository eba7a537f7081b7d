import { useEffect } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ErrorPanel } from '@hivesync/ui';
import { NavLink, Outlet, useNavigate } from 'react-router';
import { agent } from './agent.js';
import { desktopBridge } from './bridge.js';
import { LiveEventsProvider } from './live.js';
import { keys, useAgentHealth, useUnread } from './queries.js';
import { SignInView } from './views/SignInView.js';

/**
 * The window: the header (screens, the unread count, who is signed in) around the current screen; the sign-in
 * screen while the agent holds no session. Keeps the tray's count and follows the tray's and notifications' links.
 */
export function Shell() {
  const health = useAgentHealth();
  const signedIn = health.data?.signed_in === true;
  const unread = useUnread(signedIn);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const signOut = useMutation({
    mutationFn: () => agent.signOut(),
    onSuccess: () => {
      queryClient.clear();
      void queryClient.invalidateQueries({ queryKey: keys.health });
    },
  });

  useEffect(() => desktopBridge()?.onNavigate((hash) => void navigate(hash.replace(/^#/, ''))), [navigate]);
  useEffect(() => {
    void desktopBridge()?.setUnreadCount(unread.data ?? 0, signedIn);
  }, [unread.data, signedIn]);

  if (health.isPending) return <p className="shell-loading">Starting…</p>;
  if (health.isError) {
    return (
      <main className="narrow">
        <ErrorPanel error={health.error} title="The HiveSync agent does not answer" />
      </main>
    );
  }
  if (!signedIn) return <SignInView serverUrl={health.data.server_url} />;
  const count = unread.data ?? 0;
  return (
    <LiveEventsProvider enabled={signedIn}>
      <header className="app-header">
        <span className="brand">HiveSync</span>
        <nav aria-label="Screens">
          <NavLink to="/projects">Projects</NavLink>
          <NavLink to="/folders">Folders</NavLink>
          <NavLink to="/notifications">
            Notifications{' '}
            <span className="unread-count" data-testid="unread-count" aria-label={`${count} unread`}>
              {count}
            </span>
          </NavLink>
          <NavLink to="/health">Health</NavLink>
        </nav>
        <span className="account small">
          <span className="muted">{health.data.server_url}</span>
          <button type="button" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
            Sign out
          </button>
        </span>
      </header>
      <main>
        {signOut.isError && <ErrorPanel error={signOut.error} title="Could not sign out" />}
        <Outlet />
      </main>
    </LiveEventsProvider>
  );
}
