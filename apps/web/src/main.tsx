import { lazy, StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryCache, QueryClient, QueryClientProvider, MutationCache } from '@tanstack/react-query';
import { isHiveSyncError } from '@hivesync/sdk';
import { createBrowserRouter, Navigate } from 'react-router';
// The DOM build of RouterProvider: it can apply a navigation with ReactDOM.flushSync (see NotificationsPage).
import { RouterProvider } from 'react-router/dom';
import { later } from './components/Later.js';
import { Layout } from './components/Layout.js';
import { RequireAuth } from './components/RequireAuth.js';
import { LiveEventsProvider } from './session/live-events.js';
import { SessionProvider } from './session/session.js';
import { SessionStore } from './session/session-store.js';
import { BlobPage, TreePage } from './views/CodeBrowserPage.js';
import { LoginPage } from './views/LoginPage.js';
import { NewProjectPage } from './views/NewProjectPage.js';
import { NotFoundPage } from './views/NotFoundPage.js';
import { ProjectPage } from './views/ProjectPage.js';
import { ProjectsPage } from './views/ProjectsPage.js';
import { RegisterPage } from './views/RegisterPage.js';
import { RouteErrorPage } from './views/RouteErrorPage.js';
import { accountRoutes } from './routes/account.js';
import { adminRoutes } from './routes/admin.js';
import { activityRoutes } from './routes/activity.js';
import { aiRoutes } from './routes/ai.js';
import { previewRoutes } from './routes/previews.js';
import { threadRoutes } from './routes/threads.js';
import './styles.css';

// History and search load only when opened, so that the login and project pages start small.
const CommitsPage = lazy(() => import('./views/CommitsPage.js').then((m) => ({ default: m.CommitsPage })));
const CommitPage = lazy(() => import('./views/CommitPage.js').then((m) => ({ default: m.CommitPage })));
const ComparePage = lazy(() => import('./views/ComparePage.js').then((m) => ({ default: m.ComparePage })));
const SearchPage = lazy(() => import('./views/SearchPage.js').then((m) => ({ default: m.SearchPage })));

const session = new SessionStore(window.location.origin);

// A 401 that the SDK could not cure with a refresh ends the session: the login page keeps the wanted page.
const onError = (error: unknown) => {
  if (isHiveSyncError(error) && error.status === 401) session.expire();
};
const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError }),
  mutationCache: new MutationCache({ onError }),
  defaultOptions: {
    queries: {
      // Retry only what may succeed when repeated (network errors, 503, 429), never a 404 or a 409.
      retry: (count, error) => count < 2 && isHiveSyncError(error) && error.retryable,
      refetchOnWindowFocus: false,
    },
  },
});

/** Every view of the app, each with its own URL. Server-side, apps/server/src/http/web-app.routes.ts knows the prefixes. */
const router = createBrowserRouter([
  {
    element: <Layout />,
    errorElement: <RouteErrorPage />,
    children: [
      { path: '/login', element: <LoginPage /> },
      { path: '/register', element: <RegisterPage /> },
      {
        element: <RequireAuth />,
        errorElement: <RouteErrorPage />,
        children: [
          { path: '/', element: <Navigate to="/projects" replace /> },
          { path: '/projects', element: <ProjectsPage /> },
          { path: '/projects/new', element: <NewProjectPage /> },
          { path: '/projects/:projectId', element: <ProjectPage /> },
          { path: '/projects/:projectId/tree/*', element: <TreePage /> },
          { path: '/projects/:projectId/blob/:commit/*', element: <BlobPage /> },
          { path: '/projects/:projectId/commits', element: later(<CommitsPage />) },
          { path: '/projects/:projectId/commit/:sha', element: later(<CommitPage />) },
          { path: '/projects/:projectId/compare', element: later(<ComparePage />) },
          { path: '/projects/:projectId/search', element: later(<SearchPage />) },
          ...accountRoutes,
          ...threadRoutes,
          ...activityRoutes,
          ...aiRoutes,
          ...previewRoutes,
          ...adminRoutes,
        ],
      },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]);

void session.restore();
session.subscribe((state) => {
  if (state.status === 'signed_out') queryClient.clear();
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <SessionProvider store={session}>
      <QueryClientProvider client={queryClient}>
        <LiveEventsProvider>
          <RouterProvider router={router} />
        </LiveEventsProvider>
      </QueryClientProvider>
    </SessionProvider>
  </StrictMode>,
);
