import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { isHiveSyncError } from '@hivesync/sdk';
import { HiveSyncClientProvider } from '@hivesync/ui';
import { createHashRouter, Navigate, RouterProvider } from 'react-router';
import { client } from './agent.js';
import { Shell } from './Shell.js';
import { AiJobView } from './views/AiJobView.js';
import { FoldersView } from './views/FoldersView.js';
import { HealthView } from './views/HealthView.js';
import { NotificationsView } from './views/NotificationsView.js';
import { PreviewView } from './views/PreviewView.js';
import { ProjectsView } from './views/ProjectsView.js';
import { ProjectView } from './views/ProjectView.js';
import { ThreadView } from './views/ThreadView.js';
import '@hivesync/ui/theme.css';
import './desktop.css';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // Retry only what may succeed when repeated (network errors, 503, 429), never a 404 or a 409.
      retry: (count, error) => count < 2 && isHiveSyncError(error) && error.retryable,
      refetchOnWindowFocus: false,
    },
  },
});

// Hash routes: the agent serves this folder as plain files, and a notification's link (`/projects/p/threads/t`, as
// the web app's) opens the same screen here as `#/projects/p/threads/t`.
const router = createHashRouter([
  {
    element: <Shell />,
    children: [
      { path: '/', element: <Navigate to="/projects" replace /> },
      { path: '/projects', element: <ProjectsView /> },
      { path: '/folders', element: <FoldersView /> },
      { path: '/projects/:projectId', element: <ProjectView /> },
      { path: '/projects/:projectId/ai/:jobId', element: <AiJobView /> },
      { path: '/projects/:projectId/previews/:previewId', element: <PreviewView /> },
      { path: '/projects/:projectId/threads/:threadId', element: <ThreadView /> },
      { path: '/notifications', element: <NotificationsView /> },
      { path: '/health', element: <HealthView /> },
      { path: '*', element: <Navigate to="/projects" replace /> },
    ],
  },
]);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <HiveSyncClientProvider client={client}>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </HiveSyncClientProvider>
  </StrictMode>,
);
