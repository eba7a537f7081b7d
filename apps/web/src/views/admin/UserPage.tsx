import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ErrorPanel } from '../../components/ErrorPanel.js';
import { StateBadge } from '../../components/admin/bits.js';
import { useTitle } from '../../components/Title.js';
import { formatWhen } from '../../lib/format.js';
import {
  useAdminUserQuery,
  useDeleteUserMutation,
  useLogoutUserMutation,
  useUpdateUserMutation,
} from '../../queries/admin.js';
import { useSession } from '../../session/session.js';

/**
 * /admin/users/:userId: a user's account, projects and live sessions, with the admin's controls: change the role,
 * disable or enable (disabling ends every session: their next request is refused), log out everywhere, and delete
 * (only once they own no project: the server refuses otherwise, and the page says so before anyone tries).
 */
export function UserPage() {
  const { userId = '' } = useParams();
  const user = useAdminUserQuery(userId);
  const update = useUpdateUserMutation(userId);
  const logout = useLogoutUserMutation(userId);
  const remove = useDeleteUserMutation(userId);
  const navigate = useNavigate();
  const [confirmEmail, setConfirmEmail] = useState<string | undefined>(undefined);
  const session = useSession();
  const [confirmDisable, setConfirmDisable] = useState(false);
  const [done, setDone] = useState('');
  useTitle(`${user.data?.email ?? 'User'} · Admin`);
  const self = session.status === 'signed_in' && session.user.id === userId;

  if (user.isPending) return <p aria-live="polite">Loading the user…</p>;
  if (user.isError)
    return (
      <section>
        <p>
          <Link to="/admin/users">← Users</Link>
        </p>
        <ErrorPanel error={user.error} title="Could not load the user" />
      </section>
    );
  const u = user.data;
  const owned = u.projects.filter((p) => p.role === 'owner');
  const act = (body: { role?: 'admin' | 'user'; disabled?: boolean }, words: string) => {
    setDone('');
    update.mutate(body, { onSuccess: () => setDone(words) });
  };

  return (
    <section>
      <p>
        <Link to="/admin/users">← Users</Link>
      </p>
      <h1 className="wrap">{u.email}</h1>
      <dl className="facts">
        <dt>Name</dt>
        <dd>{u.display_name}</dd>
        <dt>Role</dt>
        <dd>{u.role === 'admin' ? 'Admin of this server' : 'User'}</dd>
        <dt>State</dt>
        <dd>
          <StateBadge state={u.disabled ? 'disabled' : 'active'} label={u.disabled ? 'Disabled' : 'Enabled'} />
          {u.disabled_at && <span className="small"> since {formatWhen(u.disabled_at)}</span>}
        </dd>
        <dt>Created</dt>
        <dd>{formatWhen(u.created_at)}</dd>
        <dt>Last login</dt>
        <dd>{u.last_login_at ? formatWhen(u.last_login_at) : 'Never'}</dd>
      </dl>

      <h2>Manage</h2>
      <div className="admin-form">
        <div className="row">
          {u.role === 'admin' ? (
            <button type="button" disabled={update.isPending} onClick={() => act({ role: 'user' }, 'Now a user.')}>
              Make user
            </button>
          ) : (
            <button type="button" disabled={update.isPending} onClick={() => act({ role: 'admin' }, 'Now an admin.')}>
              Make admin
            </button>
          )}
          {u.disabled ? (
            <button type="button" disabled={update.isPending} onClick={() => act({ disabled: false }, 'Enabled.')}>
              Enable
            </button>
          ) : confirmDisable ? (
            <span className="row" role="group" aria-label="Confirm disabling">
              <span>
                Disable {u.email}? Every session ends and their next request is refused{self ? ' (this is you)' : ''}.
              </span>
              <button
                type="button"
                className="danger"
                disabled={update.isPending}
                onClick={() => {
                  setConfirmDisable(false);
                  act({ disabled: true }, 'Disabled: their sessions have ended.');
                }}
              >
                Yes, disable
              </button>
              <button type="button" onClick={() => setConfirmDisable(false)}>
                Cancel
              </button>
            </span>
          ) : (
            <button
              type="button"
              className="danger"
              disabled={update.isPending}
              onClick={() => setConfirmDisable(true)}
            >
              Disable
            </button>
          )}
          <button
            type="button"
            disabled={logout.isPending}
            onClick={() => {
              setDone('');
              logout.mutate(undefined, {
                onSuccess: (r) =>
                  setDone(
                    `Logged out everywhere: ${r.revoked_sessions} session${r.revoked_sessions === 1 ? '' : 's'} ended.`,
                  ),
              });
            }}
          >
            {logout.isPending ? 'Logging out…' : 'Log out everywhere'}
          </button>
        </div>
        <p role="status" className="small">
          {update.isPending ? 'Saving…' : done}
        </p>
        {update.isError && <ErrorPanel error={update.error} title="Could not change the user" />}
        {logout.isError && <ErrorPanel error={logout.error} title="Could not log the user out" />}
      </div>

      <h2>Delete</h2>
      <div className="admin-form">
        {owned.length > 0 ? (
          <p>
            {u.email} owns {owned.length === 1 ? 'a project' : `${owned.length} projects`} (
            {owned.map((p) => p.name).join(', ')}): transfer {owned.length === 1 ? 'it' : 'them'} to someone else or
            delete {owned.length === 1 ? 'it' : 'them'} first. Disabling the account keeps everything and stops its use.
          </p>
        ) : confirmEmail === undefined ? (
          <p className="row">
            <span>Deletes the account and its sessions; their comments, threads and jobs stay, with no author.</span>
            <button type="button" className="danger" onClick={() => setConfirmEmail('')}>
              Delete user…
            </button>
          </p>
        ) : (
          <form
            className="row"
            aria-label="Confirm deleting"
            onSubmit={(e) => {
              e.preventDefault();
              remove.mutate(undefined, { onSuccess: () => navigate('/admin/users', { replace: true }) });
            }}
          >
            <label>
              Type {u.email} to delete this user{self ? ' (this is you)' : ''}
              <input
                value={confirmEmail}
                onChange={(e) => setConfirmEmail(e.target.value)}
                autoComplete="off"
                spellCheck={false}
              />
            </label>
            <button type="submit" className="danger" disabled={confirmEmail !== u.email || remove.isPending}>
              {remove.isPending ? 'Deleting…' : 'Delete'}
            </button>
            <button type="button" onClick={() => setConfirmEmail(undefined)}>
              Cancel
            </button>
          </form>
        )}
        {remove.isError && <ErrorPanel error={remove.error} title="Could not delete the user" />}
      </div>

      <h2>Projects</h2>
      {u.projects.length === 0 ? (
        <p>Not a member of any project.</p>
      ) : (
        <div className="admin-table-wrap">
          <table className="admin-table">
            <caption className="visually-hidden">Projects of {u.email}</caption>
            <thead>
              <tr>
                <th scope="col">Project</th>
                <th scope="col">Role</th>
              </tr>
            </thead>
            <tbody>
              {u.projects.map((p) => (
                <tr key={p.project_id}>
                  <th scope="row" className="wrap">
                    {p.name}
                  </th>
                  <td>{p.role}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h2>Live sessions</h2>
      {u.sessions.length === 0 ? (
        <p>No live session.</p>
      ) : (
        <div className="admin-table-wrap">
          <table className="admin-table" data-testid="user-sessions">
            <caption className="visually-hidden">Live sessions of {u.email}</caption>
            <thead>
              <tr>
                <th scope="col">Client</th>
                <th scope="col">Logged in</th>
                <th scope="col">Last used</th>
                <th scope="col">Expires</th>
              </tr>
            </thead>
            <tbody>
              {u.sessions.map((s) => (
                <tr key={s.session_id}>
                  <th scope="row" className="wrap">
                    {s.client ?? 'unknown'}
                    {s.user_agent && <span className="muted small"> · {s.user_agent}</span>}
                  </th>
                  <td>{formatWhen(s.created_at)}</td>
                  <td>{formatWhen(s.last_used_at)}</td>
                  <td>{formatWhen(s.expires_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
