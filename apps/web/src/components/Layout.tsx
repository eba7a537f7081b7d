import { Link, NavLink, Outlet } from 'react-router';
import { useSession } from '../session/session.js';
import { AccountMenu } from './AccountMenu.js';
import { NotificationBell } from './NotificationBell.js';
import { HeaderSearch } from './SearchBox.js';

/** The frame of every page: a skip link, the header with the bell and the account menu, and the page. */
export function Layout() {
  const session = useSession();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <Link to="/" className="brand">
          HiveSync
        </Link>
        {session.status === 'signed_in' && (
          <>
            <nav aria-label="Main">
              <NavLink to="/projects" end>
                Projects
              </NavLink>
              {session.user.role === 'admin' && <NavLink to="/admin">Admin</NavLink>}
            </nav>
            <HeaderSearch />
            <NotificationBell />
            <AccountMenu />
          </>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
