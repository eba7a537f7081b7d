import { lazy } from 'react';
import type { RouteObject } from 'react-router';
import { later } from '../components/Later.js';

// The preview page brings the QR code library: both views load only when opened.
const PreviewsPage = lazy(() => import('../views/PreviewsPage.js').then((m) => ({ default: m.PreviewsPage })));
const PreviewPage = lazy(() => import('../views/PreviewPage.js').then((m) => ({ default: m.PreviewPage })));

/** The views of a project's previews; main.tsx mounts them behind RequireAuth. */
export const previewRoutes: RouteObject[] = [
  { path: '/projects/:projectId/previews', element: later(<PreviewsPage />) },
  { path: '/projects/:projectId/previews/:previewId', element: later(<PreviewPage />) },
];
