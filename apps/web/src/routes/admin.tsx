import { lazy } from 'react';
import type { RouteObject } from 'react-router';
import { later } from '../components/Later.js';
import { useSession } from '../session/session.js';
import { NotFoundPage } from '../views/NotFoundPage.js';

// The whole admin section is its own chunks (and ECharts with it): a user who is not an admin never downloads them.
const AdminLayout = lazy(() => import('../views/admin/AdminLayout.js').then((m) => ({ default: m.AdminLayout })));
const OverviewPage = lazy(() => import('../views/admin/OverviewPage.js').then((m) => ({ default: m.OverviewPage })));
const UsersPage = lazy(() => import('../views/admin/UsersPage.js').then((m) => ({ default: m.UsersPage })));
const UserPage = lazy(() => import('../views/admin/UserPage.js').then((m) => ({ default: m.UserPage })));
const WorkersPage = lazy(() => import('../views/admin/WorkersPage.js').then((m) => ({ default: m.WorkersPage })));
const QueuesPage = lazy(() => import('../views/admin/QueuesPage.js').then((m) => ({ default: m.QueuesPage })));
const PreviewsPage = lazy(() =>
  import('../views/admin/PreviewsAnalyticsPage.js').then((m) => ({ default: m.PreviewsAnalyticsPage })),
);
const AiPage = lazy(() => import('../views/admin/AiAnalyticsPage.js').then((m) => ({ default: m.AiAnalyticsPage })));
const SyncsPage = lazy(() => import('../views/admin/SyncsPage.js').then((m) => ({ default: m.SyncsPage })));
const RateLimitsPage = lazy(() =>
  import('../views/admin/RateLimitsPage.js').then((m) => ({ default: m.RateLimitsPage })),
);
const AutoscalingPage = lazy(() =>
  import('../views/admin/AutoscalingPage.js').then((m) => ({ default: m.AutoscalingPage })),
);
const AuditPage = lazy(() => import('../views/admin/AuditPage.js').then((m) => ({ default: m.AuditPage })));
const HealthPage = lazy(() => import('../views/admin/HealthPage.js').then((m) => ({ default: m.HealthPage })));

/**
 * /admin for the instance's admins; anyone else gets the app's not-found page (the section's code is not even
 * fetched). The API refuses its routes to non-admins too: this only keeps the section out of their way.
 */
function AdminGate() {
  const session = useSession();
  if (session.status !== 'signed_in' || session.user.role !== 'admin') return <NotFoundPage />;
  return later(<AdminLayout />);
}

/** The admin dashboard's views (docs/admin.md); main.tsx mounts them behind RequireAuth. */
export const adminRoutes: RouteObject[] = [
  {
    path: '/admin',
    element: <AdminGate />,
    children: [
      { index: true, element: later(<OverviewPage />) },
      { path: 'users', element: later(<UsersPage />) },
      { path: 'users/:userId', element: later(<UserPage />) },
      { path: 'workers', element: later(<WorkersPage />) },
      { path: 'queues', element: later(<QueuesPage />) },
      { path: 'previews', element: later(<PreviewsPage />) },
      { path: 'ai', element: later(<AiPage />) },
      { path: 'syncs', element: later(<SyncsPage />) },
      { path: 'rate-limits', element: later(<RateLimitsPage />) },
      { path: 'autoscaling', element: later(<AutoscalingPage />) },
      { path: 'audit', element: later(<AuditPage />) },
      { path: 'health', element: later(<HealthPage />) },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];
