import { lazy } from 'react';
import type { RouteObject } from 'react-router';
import { later } from '../components/Later.js';

// Markdown (react-markdown, remark-gfm) loads only with these views.
const ThreadsPage = lazy(() => import('../views/ThreadsPage.js').then((m) => ({ default: m.ThreadsPage })));
const ThreadPage = lazy(() => import('../views/ThreadPage.js').then((m) => ({ default: m.ThreadPage })));

/** The views of a project's threads; main.tsx mounts them behind RequireAuth. */
export const threadRoutes: RouteObject[] = [
  { path: '/projects/:projectId/threads', element: later(<ThreadsPage />) },
  { path: '/projects/:projectId/threads/:threadId', element: later(<ThreadPage />) },
];
