import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { AdminUserQuery } from '@hivesync/sdk';
import { ErrorPanel } from '../../components/ErrorPanel.js';
import { CursorPager, StateBadge } from '../../components/admin/bits.js';
import { useTitle } from '../../components/Title.js';
import { formatWhen } from '../../lib/format.js';
import { ADMIN_PAGE_SIZE, useAdminUsersQuery } from '../../queries/admin.js';

/**
 * /admin/users?q=&role=&state=&cursor=: the instance's users, searched and filtered on the server, a page at a time
 * (the server's cursor, in the address); each opens its page.
 */
export function UsersPage() {
  useTitle('Users · Admin');
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const role = params.get('role');
  const state = params.get('state');
  const cursor = params.get('cursor');
  const query: AdminUserQuery = {
    limit: ADMIN_PAGE_SIZE,
    ...(q && { q }),
    ...((role === 'admin' || role === 'user') && { role }),
    ...(state === 'disabled' && { disabled: true }),
    ...(state === 'enabled' && { disabled: false }),
    ...(cursor && { cursor }),
  };
  const users = useAdminUsersQuery(query);
  const [text, setText] = useState(q);

  // A new search or filter starts from the first page.
  const filterBy = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    next.delete('cursor');
    setParams(next);
  };

  return (
    <section>
      <h1>Users</h1>
      <form
        className="admin-filters"
        role="search"
        aria-label="Search users"
        onSubmit={(e) => {
          e.preventDefault();
          filterBy({ q: text.trim() });
        }}
      >
        <label>
          Email or name
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} maxLength={254} />
        </label>
        <button type="submit">Search</button>
        <label>
          Role
          <select value={role ?? ''} onChange={(e) => filterBy({ role: e.target.value })}>
            <option value="">Any role</option>
            <option value="admin">Admins</option>
            <option value="user">Users</option>
          </select>
        </label>
        <label>
          State
          <select value={state ?? ''} onChange={(e) => filterBy({ state: e.target.value })}>
            <option value="">Enabled and disabled</option>
            <option value="enabled">Enabled</option>
            <option value="disabled">Disabled</option>
          </select>
        </label>
      </form>
      {users.isPending && <p aria-live="polite">Loading users…</p>}
      {users.isError && <ErrorPanel error={users.error} title="Could not list the users" />}
      {users.data && (
        <>
          <div className="admin-table-wrap">
            <table className="admin-table" aria-busy={users.isFetching}>
              <caption className="visually-hidden">Users{q ? ` matching ${q}` : ''}</caption>
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Name</th>
                  <th scope="col">Role</th>
                  <th scope="col">State</th>
                  <th scope="col" className="num">
                    Projects
                  </th>
                  <th scope="col">Last login</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {users.data.users.length === 0 && (
                  <tr>
                    <td colSpan={7}>No user matches.</td>
                  </tr>
                )}
                {users.data.users.map((u) => (
                  <tr key={u.user_id}>
                    <th scope="row" className="wrap">
                      <Link to={`/admin/users/${u.user_id}`}>{u.email}</Link>
                    </th>
                    <td className="wrap">{u.display_name}</td>
                    <td>{u.role === 'admin' ? 'Admin' : 'User'}</td>
                    <td>
                      <StateBadge
                        state={u.disabled ? 'disabled' : 'active'}
                        label={u.disabled ? 'Disabled' : 'Enabled'}
                      />
                    </td>
                    <td className="num">{u.project_count}</td>
                    <td>{u.last_login_at ? formatWhen(u.last_login_at) : 'Never'}</td>
                    <td>{formatWhen(u.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <CursorPager label="Pages of users" nextCursor={users.data.next_cursor} />
        </>
      )}
    </section>
  );
}
