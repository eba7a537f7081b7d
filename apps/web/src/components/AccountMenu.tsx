import { Link, useNavigate } from 'react-router';
import { useSession, useSessionStore } from '../session/session.js';

/** The header's account corner: who is signed in (a link to the account page), and log out. */
export function AccountMenu() {
  const session = useSession();
  const store = useSessionStore();
  const navigate = useNavigate();
  if (session.status !== 'signed_in') return null;
  const logout = async () => {
    await store.logout().catch(() => undefined);
    void navigate('/login', { state: { loggedOut: true } });
  };
  return (
    <div className="account">
      <Link
        to="/account"
        className="account-link"
        aria-label={`Account: ${session.user.display_name || session.user.email}`}
      >
        {session.user.display_name || session.user.email}
      </Link>
      <button type="button" onClick={() => void logout()}>
        Log out
      </button>
    </div>
  );
}
