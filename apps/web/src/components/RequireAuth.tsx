import { Navigate, Outlet, useLocation } from 'react-router';
import { useSession } from '../session/session.js';

/** Renders the page when signed in; otherwise sends to the login page, keeping the wanted page in `next`. */
export function RequireAuth() {
  const session = useSession();
  const location = useLocation();
  if (session.status === 'restoring') return <p aria-live="polite">Loading your session…</p>;
  if (session.status === 'signed_out') {
    const next = `${location.pathname}${location.search}${location.hash}`;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace state={{ expired: session.expired }} />;
  }
  return <Outlet />;
}
