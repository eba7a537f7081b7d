import { lazy } from 'react';
import { Route, Routes } from 'react-router';
import { later } from '../../components/Later.js';
import { NotFoundPage } from '../NotFoundPage.js';
import { AdminLayout } from './AdminLayout.js';

// Each view is its own chunk (those with charts share the ECharts one), fetched when first opened.
const OverviewPage = lazy(() => import('./OverviewPage.js').then((m) => ({ default: m.OverviewPage })));
const UsersPage = lazy(() => import('./UsersPage.js').then((m) => ({ default: m.UsersPage })));
const UserPage = lazy(() => import('./UserPage.js').then((m) => ({ default: m.UserPage })));
const WorkersPage = lazy(() => import('./WorkersPage.js').then((m) => ({ default: m.WorkersPage })));
const QueuesPage = lazy(() => import('./QueuesPage.js').then((m) => ({ default: m.QueuesPage })));
const PreviewsPage = lazy(() =>
  import('./PreviewsAnalyticsPage.js').then((m) => ({ default: m.PreviewsAnalyticsPage })),
);
const AiPage = lazy(() => import('./AiAnalyticsPage.js').then((m) => ({ default: m.AiAnalyticsPage })));
const SyncsPage = lazy(() => import('./SyncsPage.js').then((m) => ({ default: m.SyncsPage })));
const RateLimitsPage = lazy(() => import('./RateLimitsPage.js').then((m) => ({ default: m.RateLimitsPage })));
const AutoscalingPage = lazy(() => import('./AutoscalingPage.js').then((m) => ({ default: m.AutoscalingPage })));
const AuditPage = lazy(() => import('./AuditPage.js').then((m) => ({ default: m.AuditPage })));
const HealthPage = lazy(() => import('./HealthPage.js').then((m) => ({ default: m.HealthPage })));

/**
 * The views under /admin (docs/admin.md), in the section's frame. The app's router knows only `/admin/*` (one lazy
 * import in the main bundle): this table comes with the section's first chunk.
 */
export function AdminSection() {
  return (
    <Routes>
      <Route element={<AdminLayout />}>
        <Route index element={later(<OverviewPage />)} />
        <Route path="users" element={later(<UsersPage />)} />
        <Route path="users/:userId" element={later(<UserPage />)} />
        <Route path="workers" element={later(<WorkersPage />)} />
        <Route path="queues" element={later(<QueuesPage />)} />
        <Route path="previews" element={later(<PreviewsPage />)} />
        <Route path="ai" element={later(<AiPage />)} />
        <Route path="syncs" element={later(<SyncsPage />)} />
        <Route path="rate-limits" element={later(<RateLimitsPage />)} />
        <Route path="autoscaling" element={later(<AutoscalingPage />)} />
        <Route path="audit" element={later(<AuditPage />)} />
        <Route path="health" element={later(<HealthPage />)} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
