import { Link, NavLink, Outlet, useNavigate } from 'react-router';
import { useSession, useSessionStore } from '../session/session.js';
import { HeaderSearch } from './SearchBox.js';

/** The frame of every page: a skip link, the header with the account menu, and the page. */
export function Layout() {
  const session = useSession();
  const store = useSessionStore();
  const navigate = useNavigate();
  const logout = async () => {
    await store.logout().catch(() => undefined);
    void navigate('/login', { state: { loggedOut: true } });
  };
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <Link to="/" className="brand">
          HiveSync
        </Link>
        {session.status === 'signed_in' && (
          <>
            <nav aria-label="Main">
              <NavLink to="/projects" end>
                Projects
              </NavLink>
            </nav>
            <HeaderSearch />
            <div className="account">
              <span className="muted" title="Signed in as">
                {session.user.display_name || session.user.email}
              </span>
              <button type="button" onClick={() => void logout()}>
                Log out
              </button>
            </div>
          </>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
