import { lazy } from 'react';
import type { RouteObject } from 'react-router';
import { later } from '../components/Later.js';

// The jobs' list and a job's review (with the diff view) load only when opened.
const AiJobsPage = lazy(() => import('../views/AiJobsPage.js').then((m) => ({ default: m.AiJobsPage })));
const AiJobPage = lazy(() => import('../views/AiJobPage.js').then((m) => ({ default: m.AiJobPage })));

/** The views of AI jobs and their suggestions; main.tsx mounts them behind RequireAuth. */
export const aiRoutes: RouteObject[] = [
  { path: '/projects/:projectId/ai', element: later(<AiJobsPage />) },
  { path: '/projects/:projectId/ai/:jobId', element: later(<AiJobPage />) },
];
