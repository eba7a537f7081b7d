import { lazy } from 'react';
import type { RouteObject } from 'react-router';
import { later } from '../components/Later.js';
import { useSession } from '../session/session.js';
import { NotFoundPage } from '../views/NotFoundPage.js';

// The whole section (its views, ECharts) is fetched on demand: a user who is not an admin never downloads it, and the
// main bundle carries only this gate and one dynamic import.
const AdminSection = lazy(() => import('../views/admin/AdminSection.js').then((m) => ({ default: m.AdminSection })));

/**
 * /admin for the instance's admins; anyone else gets the app's not-found page (the section's code is not even
 * fetched). The API refuses its routes to non-admins too: this only keeps the section out of their way.
 */
function AdminGate() {
  const session = useSession();
  if (session.status !== 'signed_in' || session.user.role !== 'admin') return <NotFoundPage />;
  return later(<AdminSection />);
}

/** The admin dashboard (docs/admin.md; its views in views/admin/AdminSection.tsx); main.tsx mounts it behind RequireAuth. */
export const adminRoutes: RouteObject[] = [{ path: '/admin/*', element: <AdminGate /> }];
